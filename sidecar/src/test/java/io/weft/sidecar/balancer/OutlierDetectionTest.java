package io.weft.sidecar.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ClientStreamTracer;
import io.grpc.ConnectivityState;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer;
import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.ResolvedAddresses;
import io.grpc.LoadBalancerProvider;
import io.grpc.LoadBalancerRegistry;
import io.grpc.Metadata;
import io.grpc.NameResolver.ConfigOrError;
import io.grpc.Status;
import io.weft.sidecar.balancer.ClusterStats.EndpointSnapshot;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * grpc-java's {@code outlier_detection_experimental}, configured by {@link MeshServiceConfig},
 * around {@code weft_mesh}: it accepts our policy as its child, and an ejection reaches our
 * balancer as TRANSIENT_FAILURE, so the ejected endpoint is no longer picked.
 */
class OutlierDetectionTest {

  private final BalancerFixture fixture = new BalancerFixture();
  private final FakeHelper helper = fixture.helper;
  private LoadBalancer outlierDetection;

  @AfterEach
  void shutDown() {
    // grpc-java's outlier detection leaves its detection timer scheduled on shutdown; it runs on
    // the fake clock here, which no test moves again
    helper.run(outlierDetection::shutdown);
    assertThat(helper.subchannels).allSatisfy(s -> assertThat(s.shutdown).isTrue());
    fixture.verifyNoUncaughtErrors();
  }

  @Test
  void failingEndpoint_ejectedAndNoLongerPicked() {
    Object config = parsedDefaultConfig();
    LoadBalancerProvider provider =
        LoadBalancerRegistry.getDefaultRegistry().getProvider("outlier_detection_experimental");
    outlierDetection = provider.newLoadBalancer(helper);
    List<EquivalentAddressGroup> groups =
        List.of(fixture.endpoint("a"), fixture.endpoint("b"), fixture.endpoint("c"));
    Status accepted = helper.call(() -> outlierDetection.acceptResolvedAddresses(
        ResolvedAddresses.newBuilder()
            .setAddresses(groups)
            .setAttributes(Attributes.newBuilder()
                .set(MeshAttributes.SERVICE, "svc")
                .set(MeshAttributes.CLUSTER_STATS, fixture.stats)
                .build())
            .setLoadBalancingPolicyConfig(config)
            .build()));
    assertThat(accepted.isOk()).isTrue();
    fixture.ready("a", "b", "c");

    // 30 calls each; every call to c fails
    for (int i = 0; i < 90; i++) {
      PickResult pick = fixture.pick();
      String id = pick.getSubchannel().getAddresses().getAttributes()
          .get(MeshAttributes.INSTANCE_ID);
      ClientStreamTracer tracer = pick.getStreamTracerFactory().newClientStreamTracer(
          ClientStreamTracer.StreamInfo.newBuilder().setCallOptions(CallOptions.DEFAULT).build(),
          new Metadata());
      tracer.streamCreated(Attributes.EMPTY, new Metadata());
      tracer.streamClosed(id.equals("c") ? Status.UNAVAILABLE : Status.OK);
    }
    assertThat(stateOf("c")).isEqualTo(ConnectivityState.READY);

    helper.clock.forward(MeshServiceConfig.OUTLIER_INTERVAL_SECONDS, TimeUnit.SECONDS);

    assertThat(stateOf("c")).isEqualTo(ConnectivityState.TRANSIENT_FAILURE);
    assertThat(fixture.pickCounts(100).keySet()).containsExactlyInAnyOrder("a", "b");
  }

  private Object parsedDefaultConfig() {
    @SuppressWarnings("unchecked")
    List<Map<String, ?>> policies = (List<Map<String, ?>>)
        MeshServiceConfig.defaults().toServiceConfig().get("loadBalancingConfig");
    @SuppressWarnings("unchecked")
    Map<String, ?> raw = (Map<String, ?>) policies.get(0).get("outlier_detection_experimental");
    ConfigOrError parsed = LoadBalancerRegistry.getDefaultRegistry()
        .getProvider("outlier_detection_experimental")
        .parseLoadBalancingPolicyConfig(raw);
    assertThat(parsed.getError()).isNull();
    return parsed.getConfig();
  }

  private ConnectivityState stateOf(String id) {
    return fixture.stats.snapshot().get(0).endpoints().stream()
        .filter(e -> e.instanceId().equals(id))
        .map(EndpointSnapshot::state)
        .findFirst()
        .orElseThrow();
  }
}
