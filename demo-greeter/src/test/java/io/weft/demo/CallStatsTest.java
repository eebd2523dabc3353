package io.weft.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.grpc.Status;
import io.weft.testing.FakeClock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallStatsTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private final FakeClock clock = new FakeClock();
  private final CallStats stats = new CallStats(clock.ticker());

  @Test
  void total_countsCallsPerInstanceAndErrorsPerCode() {
    stats.record("a", Status.Code.OK, MS);
    stats.record("a", Status.Code.OK, MS);
    stats.record("b", Status.Code.OK, MS);
    stats.record("b", Status.Code.RESOURCE_EXHAUSTED, MS);
    stats.record(null, Status.Code.UNAVAILABLE, MS);
    stats.record(null, Status.Code.UNAVAILABLE, MS);

    CallStats.Snapshot total = stats.total();

    assertThat(total.calls()).isEqualTo(6);
    assertThat(total.ok()).isEqualTo(3);
    assertThat(total.errors()).isEqualTo(3);
    assertThat(total.byInstance()).containsExactly(Map.entry("a", 2L), Map.entry("b", 2L));
    assertThat(total.errorsByCode())
        .containsExactly(Map.entry("RESOURCE_EXHAUSTED", 1L), Map.entry("UNAVAILABLE", 2L));
  }

  @Test
  void lastSecond_rollsOverWithTheClock() {
    clock.forward(500, TimeUnit.MILLISECONDS);
    stats.record("a", Status.Code.OK, MS);
    stats.record("b", Status.Code.OK, MS);
    assertThat(stats.lastSecond().calls()).as("second 0 still running").isZero();

    clock.forward(700, TimeUnit.MILLISECONDS);
    stats.record("a", Status.Code.OK, MS);
    CallStats.Snapshot second0 = stats.lastSecond();
    assertThat(second0.calls()).isEqualTo(2);
    assertThat(second0.byInstance()).containsExactly(Map.entry("a", 1L), Map.entry("b", 1L));

    clock.forward(900, TimeUnit.MILLISECONDS);
    CallStats.Snapshot second1 = stats.lastSecond();
    assertThat(second1.calls()).isEqualTo(1);
    assertThat(second1.byInstance()).containsExactly(Map.entry("a", 1L));

    clock.forward(2, TimeUnit.SECONDS);
    assertThat(stats.lastSecond().calls()).as("second 3 had no calls").isZero();
    assertThat(stats.total().calls()).isEqualTo(3);
    assertThat(stats.elapsedSeconds()).isEqualTo(4);
  }

  @Test
  void total_coversElapsedTime() {
    clock.forward(2500, TimeUnit.MILLISECONDS);

    assertThat(stats.total().seconds()).isEqualTo(2.5);
  }

  @Test
  void percentiles_ofOkCallsOnly() {
    for (int millis = 1; millis <= 100; millis++) {
      stats.record("a", Status.Code.OK, millis * MS);
    }
    stats.record(null, Status.Code.DEADLINE_EXCEEDED, 5000 * MS);

    CallStats.Snapshot total = stats.total();

    assertThat(total.p50Millis()).isCloseTo(50.0, within(0.1));
    assertThat(total.p99Millis()).isCloseTo(99.0, within(0.1));
    assertThat(total.maxMillis()).isCloseTo(100.0, within(0.1));
  }

  @Test
  void percentiles_noOkCalls_areZero() {
    stats.record(null, Status.Code.UNAVAILABLE, MS);

    CallStats.Snapshot total = stats.total();

    assertThat(total.p50Millis()).isZero();
    assertThat(total.p99Millis()).isZero();
    assertThat(total.maxMillis()).isZero();
  }

  @Test
  void recordSkipped_countsInWindowAndTotal() {
    stats.recordSkipped();
    stats.recordSkipped();
    clock.forward(1, TimeUnit.SECONDS);

    assertThat(stats.lastSecond().skipped()).isEqualTo(2);
    assertThat(stats.total().skipped()).isEqualTo(2);
    assertThat(stats.total().calls()).isZero();
  }

  @Test
  void record_negativeLatency_rejectedNamingIt() {
    assertThatThrownBy(() -> stats.record("a", Status.Code.OK, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("latencyNanos: -1 (expected: >= 0)");
  }

  @Test
  void snapshot_isNotChangedByLaterCalls() {
    stats.record("a", Status.Code.OK, MS);
    CallStats.Snapshot before = stats.total();

    stats.record("a", Status.Code.OK, MS);

    assertThat(before.byInstance()).containsExactly(Map.entry("a", 1L));
  }
}
