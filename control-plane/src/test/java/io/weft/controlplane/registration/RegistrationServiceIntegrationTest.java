package io.weft.controlplane.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Duration;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.controlplane.registry.LeaseView;
import io.weft.controlplane.registry.Registry;
import io.weft.controlplane.registry.RegistryOptions;
import io.weft.controlplane.registry.RegistrySnapshot;
import io.weft.controlplane.registry.TestRequests;
import io.weft.mesh.v1.DeregisterRequest;
import io.weft.mesh.v1.DeregisterResponse;
import io.weft.mesh.v1.DrainConfirmation;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.KeepAliveResponse;
import io.weft.mesh.v1.LeaseEvent;
import io.weft.mesh.v1.RegisterRequest;
import io.weft.mesh.v1.RegisterResponse;
import io.weft.mesh.v1.RegistrationServiceGrpc;
import io.weft.testing.FakeClock;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The registration service over real Netty on loopback, with a fake clock for leases. */
class RegistrationServiceIntegrationTest {

  private static final java.time.Duration CONFIRM_BOUND = java.time.Duration.ofSeconds(7);

  private final FakeClock clock = new FakeClock();
  private final Registry registry =
      new Registry(
          RegistryOptions.defaults(), clock.ticker(), clock.scheduler(), new SimpleMeterRegistry());
  private final FakePropagationTracker tracker = new FakePropagationTracker();
  private final RegistrationServiceImpl service =
      new RegistrationServiceImpl(registry, tracker, CONFIRM_BOUND);
  private Server server;
  private ManagedChannel channel;
  private RegistrationServiceGrpc.RegistrationServiceBlockingStub blocking;
  private RegistrationServiceGrpc.RegistrationServiceStub async;

  @BeforeEach
  void startServer() throws Exception {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(service)
            .build()
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    blocking =
        RegistrationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    async = RegistrationServiceGrpc.newStub(channel);
  }

  @AfterEach
  void stopServer() throws Exception {
    channel.shutdownNow();
    server.shutdownNow();
    assertThat(channel.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(server.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    service.close();
    registry.close();
  }

  @Test
  void register_returnsLeaseTtlRevisionAndStoredInstance() {
    Instance instance =
        TestRequests.instance("greeter", "greeter-1").toBuilder()
            .setWeight(0)
            .setHealth(HealthStatus.HEALTH_STATUS_UNSPECIFIED)
            .build();

    RegisterResponse response = blocking.register(TestRequests.request(instance, "node-1"));

    assertThat(response.getLeaseId()).isNotEmpty();
    assertThat(response.getLeaseTtl()).isEqualTo(Duration.newBuilder().setSeconds(10).build());
    assertThat(response.getRevision()).isEqualTo(1);
    assertThat(response.getInstance())
        .isEqualTo(instance.toBuilder().setWeight(100).setHealth(HealthStatus.SERVING).build());
    assertThat(registry.snapshot().service("greeter").instances())
        .containsExactly(response.getInstance());
  }

  @Test
  void register_again_fromTheSameNode_keepsTheLeaseAndNeverDuplicates() {
    RegisterResponse first = blocking.register(TestRequests.request("greeter", "greeter-1"));
    RegisterResponse same = blocking.register(TestRequests.request("greeter", "greeter-1"));
    Instance moved = TestRequests.instance("greeter", "greeter-1").toBuilder().setPort(9).build();
    RegisterResponse replaced =
        blocking.register(TestRequests.request(moved, "node-greeter-1"));

    assertThat(same.getLeaseId()).isEqualTo(first.getLeaseId());
    assertThat(same.getRevision()).isEqualTo(first.getRevision());
    assertThat(replaced.getLeaseId()).isEqualTo(first.getLeaseId());
    assertThat(replaced.getRevision()).isEqualTo(first.getRevision() + 1);
    assertThat(registry.snapshot().service("greeter").instances()).containsExactly(moved);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.weft.controlplane.registry.InvalidRegistrations#cases")
  void register_invalid_isRejectedNamingTheField_andStoresNothing(
      String name, RegisterRequest request, String expected) {
    RegisterResponse existing = blocking.register(TestRequests.request("greeter", "greeter-1"));
    RegistrySnapshot before = registry.snapshot();
    List<LeaseView> leasesBefore = registry.leases();

    assertThatThrownBy(() -> blocking.register(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains(expected);
            });

    assertThat(registry.snapshot()).isSameAs(before);
    assertThat(registry.snapshot().revision()).isEqualTo(existing.getRevision());
    assertThat(registry.leases()).isEqualTo(leasesBefore);
  }

  @Test
  void keepAlive_renewsTheLease_andAppliesHealthChanges() throws Exception {
    RegisterResponse registered = blocking.register(TestRequests.request("greeter", "greeter-1"));
    KeepAliveClient stream = new KeepAliveClient(async);

    KeepAliveResponse renewed = stream.renewAndAwait(registered.getLeaseId(), HealthStatus.SERVING);
    assertThat(renewed.getEvent()).isEqualTo(LeaseEvent.RENEWED);
    assertThat(renewed.getLeaseId()).isEqualTo(registered.getLeaseId());
    assertThat(renewed.getLeaseTtl().getSeconds()).isEqualTo(10);
    assertThat(registry.snapshot().revision()).isEqualTo(1);

    clock.forward(9, TimeUnit.SECONDS);
    KeepAliveResponse unhealthy =
        stream.renewAndAwait(registered.getLeaseId(), HealthStatus.NOT_SERVING);
    assertThat(unhealthy.getEvent()).isEqualTo(LeaseEvent.RENEWED);
    assertThat(registry.snapshot().revision()).isEqualTo(2);
    assertThat(registry.snapshot().service("greeter").instances().get(0).getHealth())
        .isEqualTo(HealthStatus.NOT_SERVING);

    // Renewed at 9 s: the lease outlives its first TTL.
    clock.forward(9, TimeUnit.SECONDS);
    assertThat(registry.snapshot().service("greeter").instances()).hasSize(1);
    stream.complete();
    assertThat(stream.awaitClosed().isOk()).isTrue();
  }

  @Test
  void keepAlive_unknownOrExpiredLease_answersLeaseNotFound() throws Exception {
    RegisterResponse registered = blocking.register(TestRequests.request("greeter", "greeter-1"));
    KeepAliveClient stream = new KeepAliveClient(async);

    assertThat(stream.renewAndAwait("no-such-lease", HealthStatus.SERVING).getEvent())
        .isEqualTo(LeaseEvent.LEASE_NOT_FOUND);
    clock.forward(10, TimeUnit.SECONDS);
    KeepAliveResponse expired = stream.renewAndAwait(registered.getLeaseId(), HealthStatus.SERVING);
    assertThat(expired.getEvent()).isEqualTo(LeaseEvent.LEASE_NOT_FOUND);
    assertThat(expired.getMessage()).contains("register again");
  }

  @Test
  void keepAlive_emptyLeaseId_endsTheStreamWithInvalidArgument_leaseStays() throws Exception {
    RegisterResponse registered = blocking.register(TestRequests.request("greeter", "greeter-1"));
    KeepAliveClient stream = new KeepAliveClient(async);
    stream.renewAndAwait(registered.getLeaseId(), HealthStatus.SERVING);

    stream.renew("", HealthStatus.SERVING);

    Status status = stream.awaitClosed();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).startsWith("lease_id: \"\"");
    assertThat(registry.leases()).extracting(LeaseView::leaseId)
        .containsExactly(registered.getLeaseId());
    assertThat(registry.snapshot().service("greeter").instances()).hasSize(1);
  }

  @Test
  void keepAlive_drainingHealth_endsTheStreamWithInvalidArgument_instanceStays()
      throws Exception {
    RegisterResponse registered = blocking.register(TestRequests.request("greeter", "greeter-1"));
    KeepAliveClient stream = new KeepAliveClient(async);

    stream.renew(registered.getLeaseId(), HealthStatus.DRAINING);

    Status status = stream.awaitClosed();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).startsWith("health: DRAINING");
    assertThat(registry.snapshot().service("greeter").instances().get(0).getHealth())
        .isEqualTo(HealthStatus.SERVING);
    assertThat(registry.snapshot().revision()).isEqualTo(1);
  }

  @Test
  void keepAlive_supersededLease_oldStreamIsToldUnprompted_andOnEveryRenewal() throws Exception {
    Instance instance = TestRequests.instance("greeter", "greeter-1");
    RegisterResponse old = blocking.register(TestRequests.request(instance, "node-a"));
    KeepAliveClient oldStream = new KeepAliveClient(async);
    oldStream.renewAndAwait(old.getLeaseId(), HealthStatus.SERVING);

    RegisterResponse taken = blocking.register(TestRequests.request(instance, "node-b"));

    assertThat(taken.getLeaseId()).isNotEqualTo(old.getLeaseId());
    KeepAliveResponse event = oldStream.next();
    assertThat(event.getEvent()).isEqualTo(LeaseEvent.SUPERSEDED);
    assertThat(event.getLeaseId()).isEqualTo(old.getLeaseId());
    assertThat(oldStream.renewAndAwait(old.getLeaseId(), HealthStatus.SERVING).getEvent())
        .isEqualTo(LeaseEvent.SUPERSEDED);
    KeepAliveClient newStream = new KeepAliveClient(async);
    assertThat(newStream.renewAndAwait(taken.getLeaseId(), HealthStatus.SERVING).getEvent())
        .isEqualTo(LeaseEvent.RENEWED);
  }

  @Test
  void deregister_drainConfirmation_reachesTheLeaseStream_andAnswersEveryLaterRenewal()
      throws Exception {
    RegisterResponse registered = blocking.register(TestRequests.request("greeter", "greeter-1"));
    String leaseId = registered.getLeaseId();
    KeepAliveClient stream = new KeepAliveClient(async);
    stream.renewAndAwait(leaseId, HealthStatus.SERVING);

    DeregisterResponse deregistered =
        blocking.deregister(
            DeregisterRequest.newBuilder()
                .setLeaseId(leaseId)
                .setGrace(Duration.newBuilder().setSeconds(30))
                .build());

    assertThat(deregistered.getRevision()).isEqualTo(2);
    assertThat(deregistered.getInstance().getHealth()).isEqualTo(HealthStatus.DRAINING);
    await().atMost(20, TimeUnit.SECONDS).until(() -> tracker.waits.size() == 1);
    FakePropagationTracker.Wait wait = tracker.waits.get(0);
    assertThat(wait.service).isEqualTo("greeter");
    assertThat(wait.revision).isEqualTo(2);
    assertThat(wait.bound).isEqualTo(CONFIRM_BOUND);
    KeepAliveResponse draining = stream.renewAndAwait(leaseId, HealthStatus.SERVING);
    assertThat(draining.getEvent()).isEqualTo(LeaseEvent.RENEWED);
    assertThat(draining.getMessage()).contains("draining");

    DrainConfirmation confirmation =
        DrainConfirmation.newBuilder().setRevision(2).setConfirmedSidecars(3).build();
    wait.complete(confirmation);

    KeepAliveResponse confirmed = stream.next();
    assertThat(confirmed.getEvent()).isEqualTo(LeaseEvent.DRAIN_CONFIRMED);
    assertThat(confirmed.getLeaseId()).isEqualTo(leaseId);
    assertThat(confirmed.getDrain()).isEqualTo(confirmation);
    KeepAliveResponse later = stream.renewAndAwait(leaseId, HealthStatus.SERVING);
    assertThat(later.getEvent()).isEqualTo(LeaseEvent.DRAIN_CONFIRMED);
    assertThat(later.getDrain()).isEqualTo(confirmation);

    // The final deregistration removes the instance; renewals still answer DRAIN_CONFIRMED.
    DeregisterResponse removed =
        blocking.deregister(
            DeregisterRequest.newBuilder()
                .setLeaseId(leaseId)
                .setGrace(Duration.getDefaultInstance())
                .build());
    assertThat(removed.hasInstance()).isFalse();
    assertThat(removed.getRevision()).isEqualTo(3);
    assertThat(registry.snapshot().services()).isEmpty();
    assertThat(stream.renewAndAwait(leaseId, HealthStatus.SERVING).getEvent())
        .isEqualTo(LeaseEvent.DRAIN_CONFIRMED);
    assertThat(tracker.waits).hasSize(1);
    assertThat(stream.hasUnread()).isFalse();
  }

  @Test
  void deregister_zeroGrace_removesAtOnce_andTheConfirmationStillReachesTheStream()
      throws Exception {
    RegisterResponse registered = blocking.register(TestRequests.request("greeter", "greeter-1"));
    String leaseId = registered.getLeaseId();
    KeepAliveClient stream = new KeepAliveClient(async);
    stream.renewAndAwait(leaseId, HealthStatus.SERVING);

    DeregisterResponse removed =
        blocking.deregister(
            DeregisterRequest.newBuilder()
                .setLeaseId(leaseId)
                .setGrace(Duration.getDefaultInstance())
                .build());

    assertThat(removed.hasInstance()).isFalse();
    assertThat(registry.snapshot().services()).isEmpty();
    await().atMost(20, TimeUnit.SECONDS).until(() -> tracker.waits.size() == 1);
    assertThat(tracker.waits.get(0).revision).isEqualTo(removed.getRevision());

    tracker.waits.get(0).complete(DrainConfirmation.newBuilder().setRevision(2).build());

    assertThat(stream.next().getEvent()).isEqualTo(LeaseEvent.DRAIN_CONFIRMED);
    assertThat(stream.renewAndAwait(leaseId, HealthStatus.SERVING).getEvent())
        .isEqualTo(LeaseEvent.DRAIN_CONFIRMED);
  }

  @Test
  void keepAlive_removedLeaseAwaitingConfirmation_isAnsweredRenewedWithZeroTtl()
      throws Exception {
    RegisterResponse registered = blocking.register(TestRequests.request("greeter", "greeter-1"));
    blocking.deregister(
        DeregisterRequest.newBuilder()
            .setLeaseId(registered.getLeaseId())
            .setGrace(Duration.getDefaultInstance())
            .build());
    KeepAliveClient stream = new KeepAliveClient(async);

    KeepAliveResponse pending = stream.renewAndAwait(registered.getLeaseId(), HealthStatus.SERVING);

    assertThat(pending.getEvent()).isEqualTo(LeaseEvent.RENEWED);
    assertThat(pending.getLeaseTtl()).isEqualTo(Duration.getDefaultInstance());
    assertThat(pending.getMessage()).contains("drain confirmation pending");
  }

  @Test
  void deregister_timedOutConfirmation_isDeliveredToo() throws Exception {
    RegisterResponse registered = blocking.register(TestRequests.request("greeter", "greeter-1"));
    KeepAliveClient stream = new KeepAliveClient(async);
    stream.renewAndAwait(registered.getLeaseId(), HealthStatus.SERVING);
    blocking.deregister(DeregisterRequest.newBuilder().setLeaseId(registered.getLeaseId()).build());
    await().atMost(20, TimeUnit.SECONDS).until(() -> tracker.waits.size() == 1);

    tracker.waits.get(0).complete(
        DrainConfirmation.newBuilder()
            .setRevision(2)
            .setTimedOut(true)
            .addPendingNodeIds("slow-sidecar")
            .build());

    KeepAliveResponse confirmed = stream.next();
    assertThat(confirmed.getEvent()).isEqualTo(LeaseEvent.DRAIN_CONFIRMED);
    assertThat(confirmed.getDrain().getTimedOut()).isTrue();
    assertThat(confirmed.getMessage()).contains("slow-sidecar");
  }

  @Test
  void register_afterDrain_fromTheSameNode_cancelsTheDrainAndItsConfirmation() throws Exception {
    RegisterResponse registered = blocking.register(TestRequests.request("greeter", "greeter-1"));
    String leaseId = registered.getLeaseId();
    blocking.deregister(DeregisterRequest.newBuilder().setLeaseId(leaseId).build());
    await().atMost(20, TimeUnit.SECONDS).until(() -> tracker.waits.size() == 1);

    RegisterResponse again = blocking.register(TestRequests.request("greeter", "greeter-1"));

    assertThat(again.getLeaseId()).isEqualTo(leaseId);
    assertThat(tracker.waits.get(0).cancelled).isTrue();
    KeepAliveClient stream = new KeepAliveClient(async);
    assertThat(stream.renewAndAwait(leaseId, HealthStatus.SERVING).getEvent())
        .isEqualTo(LeaseEvent.RENEWED);
    assertThat(registry.snapshot().service("greeter").instances().get(0).getHealth())
        .isEqualTo(HealthStatus.SERVING);
  }

  @Test
  void deregister_badInput_isRejectedNamingTheField_andChangesNothing() {
    RegisterResponse registered = blocking.register(TestRequests.request("greeter", "greeter-1"));

    assertRejected(DeregisterRequest.getDefaultInstance(), Status.Code.INVALID_ARGUMENT,
        "lease_id: \"\"");
    assertRejected(
        DeregisterRequest.newBuilder().setLeaseId("no-such-lease").build(),
        Status.Code.NOT_FOUND,
        "lease_id: \"no-such-lease\"");
    assertRejected(
        DeregisterRequest.newBuilder()
            .setLeaseId(registered.getLeaseId())
            .setGrace(Duration.newBuilder().setSeconds(301))
            .build(),
        Status.Code.INVALID_ARGUMENT,
        "grace: 301s (expected: 0s..300s)");
    assertRejected(
        DeregisterRequest.newBuilder()
            .setLeaseId(registered.getLeaseId())
            .setGrace(Duration.newBuilder().setSeconds(-1))
            .build(),
        Status.Code.INVALID_ARGUMENT,
        "grace: -1s");
    assertRejected(
        DeregisterRequest.newBuilder()
            .setLeaseId(registered.getLeaseId())
            .setGrace(Duration.newBuilder().setSeconds(1).setNanos(-5))
            .build(),
        Status.Code.INVALID_ARGUMENT,
        "grace: 1s-5ns");

    assertThat(registry.snapshot().revision()).isEqualTo(1);
    assertThat(tracker.waits).isEmpty();
  }

  private void assertRejected(DeregisterRequest request, Status.Code code, String expected) {
    assertThatThrownBy(() -> blocking.deregister(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).contains(expected);
            });
  }
}
