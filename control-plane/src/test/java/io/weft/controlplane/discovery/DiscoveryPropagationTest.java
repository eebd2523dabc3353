package io.weft.controlplane.discovery;

import static io.weft.controlplane.discovery.FakeRegistry.instance;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.mesh.v1.DrainConfirmation;
import io.weft.mesh.v1.HealthStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The discovery server as the registration service's {@code PropagationTracker}. */
class DiscoveryPropagationTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private DiscoveryHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    harness = DiscoveryHarness.start();
    harness.register(instance("greeter", "g1"));
    harness.register(instance("greeter", "g2"));
    harness.passDebounce();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void wait_completesWhenEverySubscriberHasAcked() throws Exception {
    TestSidecar byName = subscribedAndAcked("by-name", "greeter");
    TestSidecar wildcard = subscribedAndAcked("wildcard", "*");
    long revision = drain("g1");
    CompletableFuture<DrainConfirmation> confirmation = await("greeter", revision);

    harness.passDebounce();
    byName.ack(byName.next());
    harness.awaitSidecar("by-name", s -> s.acks() == 2);
    assertThat(confirmation).isNotDone();
    wildcard.ack(wildcard.next());

    assertThat(confirmation.get(20, TimeUnit.SECONDS))
        .isEqualTo(
            DrainConfirmation.newBuilder()
                .setRevision(revision)
                .setConfirmedSidecars(2)
                .build());
  }

  @Test
  void wait_timesOutWithThePendingNodeIds() throws Exception {
    TestSidecar acking = subscribedAndAcked("acking", "greeter");
    TestSidecar silent = subscribedAndAcked("silent", "greeter");
    long revision = drain("g1");
    CompletableFuture<DrainConfirmation> confirmation = await("greeter", revision);
    harness.passDebounce();
    acking.ack(acking.next());
    silent.next();
    harness.awaitSidecar("acking", s -> s.acks() == 2);

    harness.clock.forward(BOUND.toNanos(), TimeUnit.NANOSECONDS);

    DrainConfirmation result = confirmation.get(20, TimeUnit.SECONDS);
    assertThat(result.getTimedOut()).isTrue();
    assertThat(result.getConfirmedSidecars()).isEqualTo(1);
    assertThat(result.getPendingNodeIdsList()).containsExactly("silent");
  }

  @Test
  void wait_withoutSubscribers_completesAtOnce() throws Exception {
    subscribedAndAcked("other", "billing");

    DrainConfirmation result = await("greeter", 2).get(20, TimeUnit.SECONDS);

    assertThat(result.getTimedOut()).isFalse();
    assertThat(result.getConfirmedSidecars()).isZero();
  }

  @Test
  void wait_forARevisionEverySubscriberHasAcked_completesAtOnce() throws Exception {
    subscribedAndAcked("a", "greeter");

    DrainConfirmation result = await("greeter", 2).get(20, TimeUnit.SECONDS);

    assertThat(result.getConfirmedSidecars()).isEqualTo(1);
    assertThat(result.getTimedOut()).isFalse();
  }

  @Test
  void wait_countsASidecarThatSubscribesLater() throws Exception {
    TestSidecar early = subscribedAndAcked("early", "greeter");
    long revision = drain("g1");
    CompletableFuture<DrainConfirmation> confirmation = await("greeter", revision);
    TestSidecar late = harness.sidecar("late");
    late.subscribe("greeter");
    harness.awaitSidecar("late", s -> s.pushes() == 1);

    harness.passDebounce();
    early.ack(early.next());
    harness.awaitSidecar("early", s -> s.acks() == 2);
    assertThat(confirmation).isNotDone();
    late.ack(late.next());

    assertThat(confirmation.get(20, TimeUnit.SECONDS).getConfirmedSidecars()).isEqualTo(2);
  }

  @Test
  void wait_stopsCountingASidecarThatUnsubscribes() throws Exception {
    TestSidecar acking = subscribedAndAcked("acking", "greeter");
    TestSidecar leaving = subscribedAndAcked("leaving", "greeter");
    long revision = drain("g1");
    CompletableFuture<DrainConfirmation> confirmation = await("greeter", revision);
    harness.passDebounce();
    acking.ack(acking.next());
    leaving.next();

    leaving.unsubscribe("greeter");

    DrainConfirmation result = confirmation.get(20, TimeUnit.SECONDS);
    assertThat(result.getTimedOut()).isFalse();
    assertThat(result.getConfirmedSidecars()).isEqualTo(1);
  }

  @Test
  void wait_stopsCountingASidecarWhoseStreamBreaks() throws Exception {
    TestSidecar acking = subscribedAndAcked("acking", "greeter");
    TestSidecar breaking = subscribedAndAcked("breaking", "greeter");
    long revision = drain("g1");
    CompletableFuture<DrainConfirmation> confirmation = await("greeter", revision);
    harness.passDebounce();
    acking.ack(acking.next());
    breaking.next();

    breaking.cancel();

    DrainConfirmation result = confirmation.get(20, TimeUnit.SECONDS);
    assertThat(result.getTimedOut()).isFalse();
    assertThat(result.getConfirmedSidecars()).isEqualTo(1);
    harness.awaitGone("breaking");
  }

  private TestSidecar subscribedAndAcked(String nodeId, String service) throws Exception {
    TestSidecar sidecar = harness.sidecar(nodeId);
    sidecar.subscribe(service);
    sidecar.ack(sidecar.next());
    harness.awaitSidecar(nodeId, s -> s.acks() == 1);
    return sidecar;
  }

  private long drain(String instanceId) {
    return harness.register(
        instance("greeter", instanceId).toBuilder().setHealth(HealthStatus.DRAINING).build());
  }

  private CompletableFuture<DrainConfirmation> await(String service, long revision) {
    CompletableFuture<DrainConfirmation> confirmation = new CompletableFuture<>();
    harness.server.whenAcknowledged(
        service,
        revision,
        BOUND,
        result -> {
          if (!confirmation.complete(result)) {
            throw new AssertionError("callback called twice");
          }
        });
    return confirmation;
  }
}
