package io.weft.sidecar.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SmoothWeightedScheduleTest {

  @Test
  void build_givesNginxSmoothSequence() {
    // nginx's documented example for weights 5, 1, 1: a a b a c a a
    assertThat(SmoothWeightedSchedule.build(new int[] {5, 1, 1}))
        .containsExactly(0, 0, 1, 0, 2, 0, 0);
  }

  @Test
  void build_reducesWeightsByTheirCommonDivisor() {
    assertThat(SmoothWeightedSchedule.build(new int[] {100, 100, 100})).containsExactly(0, 1, 2);
    assertThat(SmoothWeightedSchedule.build(new int[] {200, 100})).containsExactly(0, 1, 0);
  }

  @Test
  void build_countsEachEndpointByItsWeight() {
    int[] schedule = SmoothWeightedSchedule.build(new int[] {1, 2, 7});

    assertThat(schedule).hasSize(10);
    assertThat(Arrays.stream(schedule).filter(i -> i == 2).count()).isEqualTo(7);
  }

  @Test
  void build_scalesDownCyclesBeyondTheBudget() {
    int[] weights = new int[200];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = 1000 - i;
    }

    int[] schedule = SmoothWeightedSchedule.build(weights);

    long work = (long) schedule.length * weights.length;
    assertThat(work).isLessThanOrEqualTo(SmoothWeightedSchedule.MAX_WORK + weights.length * 200L);
    long first = Arrays.stream(schedule).filter(i -> i == 0).count();
    long last = Arrays.stream(schedule).filter(i -> i == 199).count();
    assertThat((double) first / last).isBetween(1000.0 / 801 * 0.9, 1000.0 / 801 * 1.1);
  }

  @Test
  void build_rejectsBadWeights() {
    assertThatThrownBy(() -> SmoothWeightedSchedule.build(new int[0]))
        .hasMessage("weights: [] (expected: at least one)");
    assertThatThrownBy(() -> SmoothWeightedSchedule.build(new int[] {1, 0}))
        .hasMessage("weights: [1, 0] (expected: each >= 1)");
  }
}
