package io.weft.sidecar.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.grpc.Attributes;
import io.grpc.ClientStreamTracer;
import io.grpc.CallOptions;
import io.grpc.LoadBalancer.PickResult;
import io.grpc.Metadata;
import io.grpc.Status;
import io.weft.mesh.v1.HealthStatus;
import io.weft.sidecar.balancer.MeshLoadBalancerConfig.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeshLoadBalancerLeastRequestTest {

  private static final MeshLoadBalancerConfig LEAST_REQUEST =
      new MeshLoadBalancerConfig(Policy.LEAST_REQUEST, "", 70);

  private final BalancerFixture fixture = new BalancerFixture();
  private final List<ClientStreamTracer> openStreams = new ArrayList<>();

  @AfterEach
  void noUncaughtErrors() {
    fixture.verifyNoUncaughtErrors();
  }

  @Test
  void picks_preferTheEndpointWithFewerCallsInFlight() {
    fixture.accept(LEAST_REQUEST, fixture.endpoint("a"), fixture.endpoint("b"));
    fixture.ready("a", "b");
    startCallsOn("a", 5);

    assertThat(fixture.pickCounts(200)).containsOnly(Map.entry("b", 200));
  }

  @Test
  void picks_neverTheMostLoadedOfThree() {
    fixture.accept(
        LEAST_REQUEST, fixture.endpoint("a"), fixture.endpoint("b"), fixture.endpoint("c"));
    fixture.ready("a", "b", "c");
    startCallsOn("a", 3);
    startCallsOn("b", 1);

    Map<String, Integer> counts = fixture.pickCounts(1_000);

    assertThat(counts).doesNotContainKey("a");
    assertThat(counts.get("c")).isGreaterThan(counts.get("b"));
  }

  @Test
  void closedCalls_stopCounting() {
    fixture.accept(LEAST_REQUEST, fixture.endpoint("a"), fixture.endpoint("b"));
    fixture.ready("a", "b");
    startCallsOn("a", 2);

    openStreams.forEach(stream -> stream.streamClosed(Status.OK));

    assertThat(fixture.pickCounts(1_000).keySet()).containsExactlyInAnyOrder("a", "b");
    assertThat(inFlight("a")).isZero();
  }

  @Test
  void picksWithoutStreams_doNotCountAsInFlight() {
    fixture.accept(LEAST_REQUEST, fixture.endpoint("a"), fixture.endpoint("b"));
    fixture.ready("a", "b");

    PickResult pick = fixture.pick();
    pick.getStreamTracerFactory()
        .newClientStreamTracer(streamInfo(), new Metadata())
        .streamClosed(Status.CANCELLED);

    assertThat(inFlight("a") + inFlight("b")).isZero();
  }

  @Test
  void comparison_isPerUnitOfWeight() {
    fixture.accept(LEAST_REQUEST,
        fixture.endpoint("heavy", "", 300, HealthStatus.SERVING),
        fixture.endpoint("light", "", 100, HealthStatus.SERVING));
    fixture.ready("heavy", "light");
    startCallsOn("heavy", 2);
    startCallsOn("light", 1);

    // 2 calls per 300 weight is less load than 1 call per 100
    assertThat(fixture.pickCounts(100)).containsOnly(Map.entry("heavy", 100));
  }

  @Test
  void picksWithoutLoad_followWeights() {
    fixture.accept(LEAST_REQUEST,
        fixture.endpoint("a", "", 1, HealthStatus.SERVING),
        fixture.endpoint("b", "", 2, HealthStatus.SERVING),
        fixture.endpoint("c", "", 7, HealthStatus.SERVING));
    fixture.ready("a", "b", "c");

    Map<String, Integer> counts = fixture.pickCounts(10_000);

    // weighted random: each share within 2 points (more than 4 standard deviations)
    assertThat(counts.get("a") / 10_000.0).isCloseTo(0.1, within(0.02));
    assertThat(counts.get("b") / 10_000.0).isCloseTo(0.2, within(0.02));
    assertThat(counts.get("c") / 10_000.0).isCloseTo(0.7, within(0.02));
  }

  @Test
  void singleEndpoint_alwaysPicked() {
    fixture.accept(LEAST_REQUEST, fixture.endpoint("a"));
    fixture.ready("a");
    startCallsOn("a", 4);

    assertThat(fixture.pickCounts(10)).containsOnly(Map.entry("a", 10));
  }

  /** Starts calls on the endpoint through the tracer its picks carry, as the channel would. */
  private void startCallsOn(String id, int calls) {
    ClientStreamTracer.Factory factory = null;
    for (int attempt = 0; factory == null && attempt < 1_000; attempt++) {
      PickResult pick = fixture.pick();
      if (((FakeSubchannel) pick.getSubchannel()).instanceId().equals(id)) {
        factory = pick.getStreamTracerFactory();
      }
    }
    assertThat(factory).as("a pick of %s", id).isNotNull();
    for (int i = 0; i < calls; i++) {
      ClientStreamTracer tracer = factory.newClientStreamTracer(streamInfo(), new Metadata());
      tracer.streamCreated(Attributes.EMPTY, new Metadata());
      openStreams.add(tracer);
    }
  }

  private int inFlight(String id) {
    return fixture.stats.snapshot().get(0).endpoints().stream()
        .filter(e -> e.instanceId().equals(id))
        .findFirst()
        .orElseThrow()
        .inFlight();
  }

  private static ClientStreamTracer.StreamInfo streamInfo() {
    return ClientStreamTracer.StreamInfo.newBuilder().setCallOptions(CallOptions.DEFAULT).build();
  }
}
