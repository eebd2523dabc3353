package io.weft.sidecar.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ClientStreamTracer;
import io.grpc.ConnectivityState;
import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.ResolvedAddresses;
import io.grpc.Metadata;
import io.grpc.Status;
import io.weft.mesh.v1.HealthStatus;
import io.weft.sidecar.balancer.ClusterStats.EndpointSnapshot;
import io.weft.sidecar.balancer.ClusterStats.ServiceSnapshot;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeshLoadBalancerStatsTest {

  private final BalancerFixture fixture = new BalancerFixture();

  @AfterEach
  void noUncaughtErrors() {
    fixture.verifyNoUncaughtErrors();
  }

  @Test
  void pick_recordsTheEndpointInTheCallsHolder() {
    fixture.accept(fixture.endpoint("a"));
    fixture.ready("a");
    PickedUpstream holder = new PickedUpstream();

    fixture.helper.picker().pickSubchannel(
        new PickArgs(CallOptions.DEFAULT.withOption(MeshCallOptions.PICKED_UPSTREAM, holder)));

    assertThat(holder.endpoint().service()).isEqualTo("svc");
    assertThat(holder.instanceId()).isEqualTo("a");
    assertThat(holder.describe()).isEqualTo("svc/a");
    assertThat(holder.endpoint().address()).isEqualTo(fixture.endpoint("a").getAddresses().get(0));
  }

  @Test
  void snapshot_showsEveryEndpointAsTheBalancerSawIt() {
    fixture.accept(
        fixture.endpoint("b", "z2", 7, HealthStatus.DRAINING),
        fixture.endpoint("a", "z1", 100, HealthStatus.SERVING));
    fixture.ready("a");
    fixture.pickSequence(3);

    List<ServiceSnapshot> snapshot = fixture.stats.snapshot();

    assertThat(snapshot).containsExactly(new ServiceSnapshot("svc", ConnectivityState.READY,
        List.of(
            new EndpointSnapshot("a", "10.0.0.1:10001", "z1", 100, HealthStatus.SERVING,
                ConnectivityState.READY, 3, 0),
            new EndpointSnapshot("b", "10.0.0.1:10000", "z2", 7, HealthStatus.DRAINING,
                ConnectivityState.CONNECTING, 0, 0))));
  }

  @Test
  void snapshot_serializesToJsonForTheAdmin() throws Exception {
    fixture.accept(fixture.endpoint("a", "z1", 100, HealthStatus.SERVING));
    fixture.ready("a");
    fixture.pickSequence(2);

    String json = new ObjectMapper().writeValueAsString(fixture.stats.snapshot());

    assertThat(json).isEqualTo("[{\"service\":\"svc\",\"state\":\"READY\",\"endpoints\":["
        + "{\"instanceId\":\"a\",\"address\":\"10.0.0.1:10000\",\"zone\":\"z1\","
        + "\"weight\":100,\"health\":\"SERVING\",\"state\":\"READY\",\"picks\":2,"
        + "\"inFlight\":0}]}]");
  }

  @Test
  void snapshot_countsCallsInFlightUntilTheyClose() {
    fixture.accept(fixture.endpoint("a"));
    fixture.ready("a");
    PickResult pick = fixture.pick();
    ClientStreamTracer tracer = pick.getStreamTracerFactory().newClientStreamTracer(
        ClientStreamTracer.StreamInfo.newBuilder().setCallOptions(CallOptions.DEFAULT).build(),
        new Metadata());

    tracer.streamCreated(Attributes.EMPTY, new Metadata());

    assertThat(onlyEndpoint().inFlight()).isEqualTo(1);

    tracer.streamClosed(Status.OK);

    assertThat(onlyEndpoint().inFlight()).isZero();
    assertThat(onlyEndpoint().picks()).isEqualTo(1);
  }

  @Test
  void snapshot_followsFailuresAndRemovals() {
    fixture.accept(fixture.endpoint("a"), fixture.endpoint("b"));
    fixture.helper.subchannel("a").fail(Status.UNAVAILABLE);

    assertThat(fixture.stats.snapshot().get(0).endpoints())
        .extracting(EndpointSnapshot::instanceId, EndpointSnapshot::state)
        .containsExactly(
            tuple("a", ConnectivityState.TRANSIENT_FAILURE),
            tuple("b", ConnectivityState.CONNECTING));

    fixture.accept(fixture.endpoint("b"));

    assertThat(fixture.stats.snapshot().get(0).endpoints())
        .extracting(EndpointSnapshot::instanceId).containsExactly("b");
  }

  @Test
  void balancerWithoutClusterStats_stillCountsForLeastRequest() {
    FakeHelper helper = new FakeHelper();
    MeshLoadBalancer balancer = new MeshLoadBalancer(helper, new Random(1));
    BalancerFixture addresses = new BalancerFixture();

    Status accepted = helper.call(() -> balancer.acceptResolvedAddresses(
        ResolvedAddresses.newBuilder().setAddresses(List.of(addresses.endpoint("a"))).build()));
    helper.subchannel("a").setState(ConnectivityState.READY);

    assertThat(accepted.isOk()).isTrue();
    PickResult pick = helper.picker().pickSubchannel(new PickArgs());
    assertThat(pick.getSubchannel()).isSameAs(helper.subchannel("a"));
    assertThat(helper.uncaught).isEmpty();
  }

  private EndpointSnapshot onlyEndpoint() {
    return fixture.stats.snapshot().get(0).endpoints().get(0);
  }
}
