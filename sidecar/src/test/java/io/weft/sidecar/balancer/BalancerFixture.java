package io.weft.sidecar.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Attributes;
import io.grpc.ConnectivityState;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.ResolvedAddresses;
import io.grpc.Status;
import io.weft.mesh.v1.HealthStatus;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A {@link MeshLoadBalancer} of service "svc" on a {@link FakeHelper}, with test shorthands. */
final class BalancerFixture {

  final FakeHelper helper = new FakeHelper();
  final ClusterStats stats = new ClusterStats();
  final MeshLoadBalancer balancer = new MeshLoadBalancer(helper, new Random(42));
  private final Map<String, Integer> ports = new HashMap<>();

  /** A SERVING endpoint of weight 100 in no zone. */
  EquivalentAddressGroup endpoint(String id) {
    return endpoint(id, "", 100, HealthStatus.SERVING);
  }

  /** An endpoint on 10.0.0.1, on a port of its own that stays the same for the id. */
  EquivalentAddressGroup endpoint(String id, String zone, int weight, HealthStatus health) {
    int port = ports.computeIfAbsent(id, unused -> 10_000 + ports.size());
    return new EquivalentAddressGroup(
        new InetSocketAddress("10.0.0.1", port),
        Attributes.newBuilder()
            .set(MeshAttributes.INSTANCE_ID, id)
            .set(MeshAttributes.ZONE, zone)
            .set(MeshAttributes.WEIGHT, weight)
            .set(MeshAttributes.HEALTH, health)
            .build());
  }

  Status accept(EquivalentAddressGroup... groups) {
    return accept(MeshLoadBalancerConfig.DEFAULT, groups);
  }

  Status accept(MeshLoadBalancerConfig config, EquivalentAddressGroup... groups) {
    ResolvedAddresses resolved = ResolvedAddresses.newBuilder()
        .setAddresses(List.of(groups))
        .setAttributes(Attributes.newBuilder()
            .set(MeshAttributes.SERVICE, "svc")
            .set(MeshAttributes.CLUSTER_STATS, stats)
            .build())
        .setLoadBalancingPolicyConfig(config)
        .build();
    return helper.call(() -> balancer.acceptResolvedAddresses(resolved));
  }

  void ready(String... ids) {
    for (String id : ids) {
      helper.subchannel(id).setState(ConnectivityState.READY);
    }
  }

  PickResult pick() {
    return helper.picker().pickSubchannel(new PickArgs());
  }

  /** The instance id of a successful pick. */
  String pickId() {
    PickResult result = pick();
    assertThat(result.getStatus().isOk()).as("pick status %s", result.getStatus()).isTrue();
    assertThat(result.getSubchannel()).as("picked subchannel").isNotNull();
    return ((FakeSubchannel) result.getSubchannel()).instanceId();
  }

  List<String> pickSequence(int picks) {
    List<String> ids = new ArrayList<>(picks);
    for (int i = 0; i < picks; i++) {
      ids.add(pickId());
    }
    return ids;
  }

  Map<String, Integer> pickCounts(int picks) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String id : pickSequence(picks)) {
      counts.merge(id, 1, Integer::sum);
    }
    return counts;
  }

  /** Fails if anything threw in the synchronization context. */
  void verifyNoUncaughtErrors() {
    assertThat(helper.uncaught).isEmpty();
  }
}
