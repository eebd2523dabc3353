package io.weft.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.controlplane.registry.PropagationTracker.Cancellable;
import io.weft.mesh.v1.DrainConfirmation;
import io.weft.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Propagation waits in isolation: fake sidecars, a fake clock, callbacks run inline. */
class PropagationWaitsTest {

  private static final Duration BOUND = Duration.ofSeconds(5);

  private final FakeClock clock = new FakeClock();
  private final Set<FakeSidecar> sidecars = new HashSet<>();
  private final List<DrainConfirmation> results = new ArrayList<>();
  private final PropagationWaits waits =
      new PropagationWaits(
          service ->
              sidecars.stream().filter(s -> s.subscribesToService(service)).toList(),
          clock.scheduler(),
          Runnable::run);

  @AfterEach
  void noTimerLeft() {
    assertThat(clock.pendingTaskCount()).isZero();
  }

  @Test
  void wait_completesOnceWhenLastPendingSidecarAcks() {
    FakeSidecar a = sidecar("a", "greeter");
    FakeSidecar b = sidecar("b", "*");
    waits.await("greeter", 7, BOUND, results::add);

    ack(a, "greeter", 7);
    assertThat(results).isEmpty();
    ack(b, "greeter", 8);
    ack(b, "greeter", 9);

    assertThat(results)
        .containsExactly(
            DrainConfirmation.newBuilder().setRevision(7).setConfirmedSidecars(2).build());
    assertThat(waits.pendingWaits()).isZero();
  }

  @Test
  void ackOfAnOlderRevision_doesNotCount() {
    FakeSidecar a = sidecar("a", "greeter");
    waits.await("greeter", 7, BOUND, results::add);

    ack(a, "greeter", 6);
    ack(a, "billing", 7);

    assertThat(results).isEmpty();
    clock.forward(BOUND.toNanos(), TimeUnit.NANOSECONDS);
    assertThat(results).singleElement().satisfies(r -> {
      assertThat(r.getTimedOut()).isTrue();
      assertThat(r.getPendingNodeIdsList()).containsExactly("a");
    });
  }

  @Test
  void bound_completesWithPendingNodeIdsSortedAndExactlyOnce() {
    FakeSidecar a = sidecar("a", "greeter");
    sidecar("c", "greeter");
    sidecar("b", "greeter");
    waits.await("greeter", 3, BOUND, results::add);
    ack(a, "greeter", 3);

    clock.forward(BOUND.toNanos() - 1, TimeUnit.NANOSECONDS);
    assertThat(results).isEmpty();
    clock.forward(1, TimeUnit.NANOSECONDS);
    waits.onClosed(a);

    assertThat(results)
        .containsExactly(
            DrainConfirmation.newBuilder()
                .setRevision(3)
                .setConfirmedSidecars(1)
                .setTimedOut(true)
                .addPendingNodeIds("b")
                .addPendingNodeIds("c")
                .build());
  }

  @Test
  void noSubscriber_completesAtOnce() {
    sidecar("a", "billing");

    waits.await("greeter", 3, BOUND, results::add);

    assertThat(results)
        .containsExactly(DrainConfirmation.newBuilder().setRevision(3).build());
  }

  @Test
  void lateSubscriber_counts() {
    FakeSidecar a = sidecar("a", "greeter");
    waits.await("greeter", 3, BOUND, results::add);
    FakeSidecar late = sidecar("late", "greeter");
    waits.onSubscriptionChanged(late);

    ack(a, "greeter", 3);
    assertThat(results).isEmpty();
    ack(late, "greeter", 4);

    assertThat(results).singleElement().satisfies(r -> {
      assertThat(r.getConfirmedSidecars()).isEqualTo(2);
      assertThat(r.getTimedOut()).isFalse();
    });
  }

  @Test
  void unsubscribedAndClosedSidecars_stopCounting() {
    FakeSidecar a = sidecar("a", "greeter");
    FakeSidecar b = sidecar("b", "greeter");
    FakeSidecar c = sidecar("c", "greeter");
    waits.await("greeter", 3, BOUND, results::add);

    ack(a, "greeter", 3);
    b.subscriptions.clear();
    waits.onSubscriptionChanged(b);
    assertThat(results).isEmpty();
    sidecars.remove(c);
    waits.onClosed(c);

    assertThat(results).singleElement().satisfies(r -> {
      assertThat(r.getConfirmedSidecars()).isEqualTo(1);
      assertThat(r.getTimedOut()).isFalse();
    });
  }

  @Test
  void confirmedSidecarThatResubscribes_isNotPendingAgain() {
    FakeSidecar a = sidecar("a", "greeter");
    FakeSidecar b = sidecar("b", "greeter");
    waits.await("greeter", 3, BOUND, results::add);
    ack(a, "greeter", 3);

    a.acked.clear();
    waits.onSubscriptionChanged(a);
    ack(b, "greeter", 3);

    assertThat(results).singleElement()
        .satisfies(r -> assertThat(r.getConfirmedSidecars()).isEqualTo(2));
  }

  @Test
  void cancelledWait_neverCallsBack() {
    FakeSidecar a = sidecar("a", "greeter");
    Cancellable wait = waits.await("greeter", 3, BOUND, results::add);

    wait.cancel();
    ack(a, "greeter", 3);
    clock.forward(BOUND.toNanos(), TimeUnit.NANOSECONDS);

    assertThat(results).isEmpty();
    assertThat(waits.pendingWaits()).isZero();
  }

  @Test
  void close_dropsEveryWaitWithoutCallingBack() {
    FakeSidecar a = sidecar("a", "greeter");
    waits.await("greeter", 3, BOUND, results::add);

    waits.close();
    ack(a, "greeter", 3);
    clock.forward(BOUND.toNanos(), TimeUnit.NANOSECONDS);

    assertThat(results).isEmpty();
  }

  private FakeSidecar sidecar(String nodeId, String subscription) {
    FakeSidecar sidecar = new FakeSidecar(nodeId);
    sidecar.subscriptions.add(subscription);
    sidecars.add(sidecar);
    return sidecar;
  }

  private void ack(FakeSidecar sidecar, String service, long version) {
    sidecar.acked.merge(service, version, Math::max);
    waits.onAcked(sidecar, List.of(service), version);
  }

  private static final class FakeSidecar implements PropagationWaits.Sidecar {
    final String nodeId;
    final Set<String> subscriptions = new HashSet<>();
    final Map<String, Long> acked = new HashMap<>();

    FakeSidecar(String nodeId) {
      this.nodeId = nodeId;
    }

    @Override
    public String nodeId() {
      return nodeId;
    }

    @Override
    public boolean subscribesToService(String service) {
      return subscriptions.contains("*") || subscriptions.contains(service);
    }

    @Override
    public long ackedRevision(String service) {
      return acked.getOrDefault(service, -1L);
    }
  }
}
