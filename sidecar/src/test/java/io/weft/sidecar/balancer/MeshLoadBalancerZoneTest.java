package io.weft.sidecar.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.EquivalentAddressGroup;
import io.grpc.Status;
import io.weft.mesh.v1.HealthStatus;
import io.weft.sidecar.balancer.MeshLoadBalancerConfig.Policy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MeshLoadBalancerZoneTest {

  private final BalancerFixture fixture = new BalancerFixture();

  @AfterEach
  void noUncaughtErrors() {
    fixture.verifyNoUncaughtErrors();
  }

  @ParameterizedTest
  @EnumSource(Policy.class)
  void picks_stayInTheLocalZoneWhileItIsHealthy(Policy policy) {
    fixture.accept(new MeshLoadBalancerConfig(policy, "a", 70),
        endpoint("a1", "a"), endpoint("a2", "a"), endpoint("b1", "b"), endpoint("b2", "b"));
    fixture.ready("a1", "a2", "b1", "b2");

    assertThat(fixture.pickCounts(1_000).keySet()).containsExactlyInAnyOrder("a1", "a2");
  }

  @Test
  void picks_spillOverJustBelowTheThresholdAndComeBack() {
    List<EquivalentAddressGroup> groups = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      groups.add(endpoint("a" + i, "a"));
    }
    groups.add(endpoint("b1", "b"));
    fixture.accept(new MeshLoadBalancerConfig(Policy.ROUND_ROBIN, "a", 70),
        groups.toArray(EquivalentAddressGroup[]::new));
    fixture.ready("a1", "a2", "a3", "a4", "a5", "a6", "a7", "b1");

    // 7 of 10 local endpoints pickable: exactly 70 %, stays local
    assertThat(fixture.pickCounts(700)).doesNotContainKey("b1").hasSize(7);

    fixture.helper.subchannel("a7").fail(Status.UNAVAILABLE);

    // 6 of 10: below 70 %, every zone
    assertThat(fixture.pickCounts(700)).containsKey("b1").hasSize(7);

    fixture.ready("a7");

    assertThat(fixture.pickCounts(700)).doesNotContainKey("b1").hasSize(7);
  }

  @Test
  void share_countsOnlyServingLocalEndpoints() {
    fixture.accept(new MeshLoadBalancerConfig(Policy.ROUND_ROBIN, "a", 70),
        endpoint("a1", "a"),
        fixture.endpoint("a2", "a", 100, HealthStatus.NOT_SERVING),
        fixture.endpoint("a3", "a", 100, HealthStatus.DRAINING),
        endpoint("b1", "b"));
    fixture.ready("a1", "a2", "a3", "b1");

    assertThat(fixture.pickCounts(100).keySet()).containsExactly("a1");
  }

  @Test
  void picks_spillOverWhenNoLocalEndpointIsPickable() {
    fixture.accept(new MeshLoadBalancerConfig(Policy.ROUND_ROBIN, "a", 0),
        fixture.endpoint("a1", "a", 100, HealthStatus.DRAINING),
        endpoint("a2", "a"),
        endpoint("b1", "b"));
    fixture.ready("a1", "b1");

    assertThat(fixture.pickCounts(100).keySet()).containsExactly("b1");
  }

  @Test
  void picks_useEveryZoneWithoutALocalZone() {
    fixture.accept(endpoint("a1", "a"), endpoint("b1", "b"));
    fixture.ready("a1", "b1");

    assertThat(fixture.pickCounts(100).keySet()).containsExactlyInAnyOrder("a1", "b1");
  }

  private EquivalentAddressGroup endpoint(String id, String zone) {
    return fixture.endpoint(id, zone, 100, HealthStatus.SERVING);
  }
}
