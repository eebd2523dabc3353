package io.weft.sidecar.balancer;

import static io.grpc.ConnectivityState.CONNECTING;
import static io.grpc.ConnectivityState.IDLE;
import static io.grpc.ConnectivityState.READY;
import static io.grpc.ConnectivityState.TRANSIENT_FAILURE;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.LoadBalancer.PickResult;
import io.grpc.Status;
import io.weft.mesh.v1.HealthStatus;
import io.weft.sidecar.balancer.MeshLoadBalancerConfig.Policy;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The grpc-java load-balancer contract, as {@code weft_mesh} keeps it. */
class MeshLoadBalancerContractTest {

  private final BalancerFixture fixture = new BalancerFixture();

  @AfterEach
  void noUncaughtErrors() {
    fixture.verifyNoUncaughtErrors();
  }

  @Test
  void newEndpoints_connectEagerlyAndQueuePicksWhileConnecting() {
    Status accepted = fixture.accept(fixture.endpoint("a"), fixture.endpoint("b"));

    assertThat(accepted.isOk()).isTrue();
    assertThat(fixture.helper.subchannels).hasSize(2)
        .allSatisfy(s -> assertThat(s.connectionRequests).isEqualTo(1));
    assertThat(fixture.helper.state()).isEqualTo(CONNECTING);
    PickResult pick = fixture.pick();
    assertThat(pick.hasResult()).isFalse();
    assertThat(pick.getStatus().isOk()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void endpointsNotServing_neverPicked(Policy policy) {
    fixture.accept(new MeshLoadBalancerConfig(policy, "", 70),
        fixture.endpoint("serving", "", 100, HealthStatus.SERVING),
        fixture.endpoint("not-serving", "", 1000, HealthStatus.NOT_SERVING),
        fixture.endpoint("draining", "", 1000, HealthStatus.DRAINING),
        fixture.endpoint("unknown", "", 1000, HealthStatus.HEALTH_STATUS_UNSPECIFIED));
    fixture.ready("serving", "not-serving", "draining", "unknown");

    assertThat(fixture.pickCounts(5_000)).containsOnly(Map.entry("serving", 5_000));
  }

  @Test
  void nothingPickable_failsWithUnavailableNamingTheServiceAndWhy() {
    fixture.accept(
        fixture.endpoint("a", "", 100, HealthStatus.DRAINING),
        fixture.endpoint("b", "", 100, HealthStatus.DRAINING),
        fixture.endpoint("c", "", 100, HealthStatus.NOT_SERVING));
    fixture.ready("c");

    assertThat(fixture.helper.state()).isEqualTo(TRANSIENT_FAILURE);
    PickResult pick = fixture.pick();
    assertThat(pick.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(pick.getStatus().getDescription())
        .isEqualTo("svc: no pickable endpoint (2 DRAINING, 1 NOT_SERVING, 0 READY)");
  }

  @Test
  void failingEndpoints_errorNamesTheLastConnectionError() {
    fixture.accept(fixture.endpoint("a"));
    fixture.helper.subchannel("a").fail(Status.UNAVAILABLE.withDescription("connection refused"));

    assertThat(fixture.pick().getStatus().getDescription()).isEqualTo(
        "svc: no pickable endpoint (1 TRANSIENT_FAILURE, 0 READY); last error:"
            + " UNAVAILABLE: connection refused");
  }

  @Test
  void drainingEndpoint_keepsItsSubchannelAndIsNotPicked() {
    fixture.accept(fixture.endpoint("a"), fixture.endpoint("b"));
    fixture.ready("a", "b");
    FakeSubchannel a = fixture.helper.subchannel("a");

    fixture.accept(fixture.endpoint("a", "", 100, HealthStatus.DRAINING), fixture.endpoint("b"));

    assertThat(fixture.pickCounts(100)).containsOnly(Map.entry("b", 100));
    assertThat(a.shutdown).isFalse();
    assertThat(fixture.helper.subchannels).hasSize(2);
  }

  @Test
  void weightAndHealthChanges_neverRecreateASubchannel() {
    fixture.accept(fixture.endpoint("a", "z1", 100, HealthStatus.SERVING));
    fixture.ready("a");
    FakeSubchannel a = fixture.helper.subchannel("a");

    fixture.accept(fixture.endpoint("a", "z1", 500, HealthStatus.NOT_SERVING));
    fixture.accept(fixture.endpoint("a", "z2", 7, HealthStatus.SERVING));

    assertThat(fixture.helper.subchannels).containsExactly(a);
    assertThat(a.shutdown).isFalse();
    assertThat(a.connectionRequests).isEqualTo(1);
    assertThat(fixture.pickId()).isEqualTo("a");
    assertThat(fixture.stats.snapshot().get(0).endpoints().get(0))
        .extracting("zone", "weight").containsExactly("z2", 7);
  }

  @Test
  void removedEndpoint_subchannelShutDownAndNoLongerPicked() {
    fixture.accept(fixture.endpoint("a"), fixture.endpoint("b"));
    fixture.ready("a", "b");

    fixture.accept(fixture.endpoint("b"));

    assertThat(fixture.helper.subchannel("a").shutdown).isTrue();
    assertThat(fixture.helper.subchannel("b").shutdown).isFalse();
    assertThat(fixture.pickCounts(50)).containsOnly(Map.entry("b", 50));
  }

  @Test
  void idleSubchannel_reconnectsAndRefreshesResolution() {
    fixture.accept(fixture.endpoint("a"));
    fixture.ready("a");
    FakeSubchannel a = fixture.helper.subchannel("a");

    a.setState(IDLE);

    assertThat(a.connectionRequests).isEqualTo(2);
    assertThat(fixture.helper.refreshes).isEqualTo(1);
    assertThat(fixture.helper.state()).isEqualTo(CONNECTING);
  }

  @Test
  void drainingEndpoint_notReconnectedWhenIdle() {
    fixture.accept(fixture.endpoint("a", "", 100, HealthStatus.DRAINING));
    FakeSubchannel a = fixture.helper.subchannel("a");

    a.setState(IDLE);

    assertThat(a.connectionRequests).isZero();
  }

  @Test
  void transientFailure_refreshesAndStaysUntilReady() {
    fixture.accept(fixture.endpoint("a"), fixture.endpoint("b"));
    fixture.helper.subchannel("a").fail(Status.UNAVAILABLE);
    fixture.helper.subchannel("b").fail(Status.UNAVAILABLE);
    assertThat(fixture.helper.state()).isEqualTo(TRANSIENT_FAILURE);
    assertThat(fixture.helper.refreshes).isEqualTo(2);

    fixture.helper.subchannel("a").setState(CONNECTING);
    fixture.helper.subchannel("b").setState(IDLE);

    assertThat(fixture.helper.state()).isEqualTo(TRANSIENT_FAILURE);
    assertThat(fixture.pick().getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);

    fixture.ready("b");

    assertThat(fixture.helper.state()).isEqualTo(READY);
    assertThat(fixture.pickId()).isEqualTo("b");
  }

  @Test
  void emptyAddressList_transientFailureNamingTheService() {
    fixture.accept(fixture.endpoint("a"));
    fixture.ready("a");

    Status accepted = fixture.accept();

    assertThat(accepted.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(accepted.getDescription()).startsWith("svc: no endpoints");
    assertThat(fixture.helper.state()).isEqualTo(TRANSIENT_FAILURE);
    assertThat(fixture.pick().getStatus().getDescription()).startsWith("svc: no endpoints");
    assertThat(fixture.helper.subchannel("a").shutdown).isTrue();
  }

  @Test
  void nameResolutionError_beforeAddresses_failsPicksNamingTheService() {
    fixture.helper.run(() -> fixture.balancer.handleNameResolutionError(
        Status.UNAVAILABLE.withDescription("control plane unreachable")));

    assertThat(fixture.helper.state()).isEqualTo(TRANSIENT_FAILURE);
    assertThat(fixture.pick().getStatus().getDescription())
        .isEqualTo("svc: name resolution failed: UNAVAILABLE: control plane unreachable");
  }

  @Test
  void nameResolutionError_whileReady_keepsPicking() {
    fixture.accept(fixture.endpoint("a"));
    fixture.ready("a");
    int updates = fixture.helper.updates.size();

    fixture.helper.run(() -> fixture.balancer.handleNameResolutionError(Status.UNAVAILABLE));

    assertThat(fixture.helper.updates).hasSize(updates);
    assertThat(fixture.pickId()).isEqualTo("a");
    assertThat(fixture.helper.subchannel("a").shutdown).isFalse();
  }

  @Test
  void unchangedState_isNotPublishedAgain() {
    fixture.accept(fixture.endpoint("a"), fixture.endpoint("b", "", 100, HealthStatus.NOT_SERVING));
    fixture.ready("a");
    int updates = fixture.helper.updates.size();

    fixture.accept(fixture.endpoint("a"), fixture.endpoint("b", "", 100, HealthStatus.NOT_SERVING));
    fixture.ready("b");
    fixture.helper.subchannel("b").setState(IDLE);

    assertThat(fixture.helper.updates).hasSize(updates);
  }

  @Test
  void equalPickers_areEqual() {
    fixture.accept(fixture.endpoint("a"), fixture.endpoint("b"));
    fixture.ready("a", "b");
    RoundRobinPicker current = (RoundRobinPicker) fixture.helper.picker();

    fixture.helper.subchannel("b").fail(Status.UNAVAILABLE);
    fixture.ready("b");

    assertThat(fixture.helper.picker()).isNotSameAs(current).isEqualTo(current)
        .hasSameHashCodeAs(current);
    assertThat(new FailingPicker(Status.UNAVAILABLE.withDescription("x")))
        .isEqualTo(new FailingPicker(Status.UNAVAILABLE.withDescription("x")))
        .isNotEqualTo(new FailingPicker(Status.UNAVAILABLE.withDescription("y")));
  }

  @Test
  void requestConnection_connectsIdleSubchannels() {
    fixture.accept(fixture.endpoint("a"), fixture.endpoint("b"));
    fixture.ready("a", "b");
    fixture.helper.subchannel("a").setState(IDLE);
    int requests = fixture.helper.subchannel("a").connectionRequests;

    fixture.helper.run(fixture.balancer::requestConnection);

    assertThat(fixture.helper.subchannel("a").connectionRequests).isEqualTo(requests + 1);
    assertThat(fixture.helper.subchannel("b").connectionRequests).isEqualTo(1);
  }

  @Test
  void duplicateAddresses_shareOneSubchannel() {
    fixture.accept(fixture.endpoint("a"), fixture.endpoint("a"));

    assertThat(fixture.helper.subchannels).hasSize(1);
  }

  @Test
  void shutdown_shutsEverySubchannelAndIgnoresLateStates() {
    fixture.accept(fixture.endpoint("a"), fixture.endpoint("b"));
    fixture.ready("a");
    int updates = fixture.helper.updates.size();

    fixture.helper.run(fixture.balancer::shutdown);
    fixture.ready("b");

    assertThat(fixture.helper.subchannels).allSatisfy(s -> assertThat(s.shutdown).isTrue());
    assertThat(fixture.helper.updates).hasSize(updates);
    assertThat(fixture.stats.snapshot()).isEmpty();
  }
}
