package io.weft.sidecar.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.grpc.ConnectivityState;
import io.weft.mesh.v1.HealthStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeshLoadBalancerRoundRobinTest {

  private final BalancerFixture fixture = new BalancerFixture();

  @AfterEach
  void noUncaughtErrors() {
    fixture.verifyNoUncaughtErrors();
  }

  @Test
  void picks_followWeightsWithinFivePercent() {
    fixture.accept(
        fixture.endpoint("a", "", 1, HealthStatus.SERVING),
        fixture.endpoint("b", "", 2, HealthStatus.SERVING),
        fixture.endpoint("c", "", 7, HealthStatus.SERVING));
    fixture.ready("a", "b", "c");

    Map<String, Integer> counts = fixture.pickCounts(10_000);

    assertThat((double) counts.get("a")).isCloseTo(1_000, within(50.0));
    assertThat((double) counts.get("b")).isCloseTo(2_000, within(100.0));
    assertThat((double) counts.get("c")).isCloseTo(7_000, within(350.0));
  }

  @Test
  void picks_equalWeightsNeverTwiceInARow() {
    fixture.accept(fixture.endpoint("a"), fixture.endpoint("b"), fixture.endpoint("c"));
    fixture.ready("a", "b", "c");

    List<String> sequence = fixture.pickSequence(300);

    assertThat(longestRun(sequence)).isEqualTo(1);
    assertThat(fixture.pickCounts(300)).containsOnly(
        Map.entry("a", 100), Map.entry("b", 100), Map.entry("c", 100));
  }

  @Test
  void picks_heavyEndpointInterleavedWithLightOnes() {
    fixture.accept(
        fixture.endpoint("a", "", 1, HealthStatus.SERVING),
        fixture.endpoint("b", "", 2, HealthStatus.SERVING),
        fixture.endpoint("c", "", 7, HealthStatus.SERVING));
    fixture.ready("a", "b", "c");

    List<String> sequence = fixture.pickSequence(1_000);

    // 7 of every 10 picks go to c; smooth round robin never lets it run more than 3 in a row
    assertThat(longestRun(sequence)).isLessThanOrEqualTo(3);
  }

  @Test
  void picks_spreadPerCallAcrossEveryReadyEndpoint() {
    fixture.accept(fixture.endpoint("a"), fixture.endpoint("b"), fixture.endpoint("c"));
    fixture.ready("a", "b");

    assertThat(fixture.pickCounts(100)).containsOnly(Map.entry("a", 50), Map.entry("b", 50));

    fixture.ready("c");

    assertThat(fixture.helper.state()).isEqualTo(ConnectivityState.READY);
    assertThat(fixture.pickCounts(99).keySet()).containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void weightChange_appliesToTheNextPicks() {
    fixture.accept(
        fixture.endpoint("a", "", 100, HealthStatus.SERVING),
        fixture.endpoint("b", "", 100, HealthStatus.SERVING));
    fixture.ready("a", "b");

    fixture.accept(
        fixture.endpoint("a", "", 300, HealthStatus.SERVING),
        fixture.endpoint("b", "", 100, HealthStatus.SERVING));

    assertThat(fixture.pickCounts(400)).containsOnly(Map.entry("a", 300), Map.entry("b", 100));
  }

  private static int longestRun(List<String> sequence) {
    int longest = 0;
    int run = 0;
    String previous = null;
    for (String id : sequence) {
      run = id.equals(previous) ? run + 1 : 1;
      longest = Math.max(longest, run);
      previous = id;
    }
    return longest;
  }
}
