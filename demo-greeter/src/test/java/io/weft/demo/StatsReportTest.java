package io.weft.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StatsReportTest {

  private static CallStats.Snapshot snapshot(
      double seconds,
      long calls,
      long ok,
      long skipped,
      Map<String, Long> byInstance,
      Map<String, Long> errorsByCode,
      double p50,
      double p99,
      double max) {
    return new CallStats.Snapshot(
        seconds,
        calls,
        ok,
        skipped,
        new TreeMap<>(byInstance),
        new TreeMap<>(errorsByCode),
        p50,
        p99,
        max);
  }

  @Test
  void summaryLine_hasEveryFieldInOrder() {
    CallStats.Snapshot total =
        snapshot(
            2.4,
            120,
            119,
            3,
            Map.of("greeter-2", 59L, "greeter-1", 60L),
            Map.of("UNAVAILABLE", 1L),
            1.21,
            3.4,
            5.0205);

    assertThat(StatsReport.summaryLine(total))
        .isEqualTo(
            "SUMMARY total=120 ok=119 errors=1 skipped=3 duration_s=2.40"
                + " by_instance=greeter-1:60,greeter-2:59 by_code=UNAVAILABLE:1"
                + " p50_ms=1.210 p99_ms=3.400 max_ms=5.021");
  }

  @Test
  void summaryLine_nothingRecorded_hasEmptyLists() {
    CallStats.Snapshot total = snapshot(1.0, 0, 0, 0, Map.of(), Map.of(), 0, 0, 0);

    assertThat(StatsReport.summaryLine(total))
        .isEqualTo(
            "SUMMARY total=0 ok=0 errors=0 skipped=0 duration_s=1.00 by_instance= by_code="
                + " p50_ms=0.000 p99_ms=0.000 max_ms=0.000");
  }

  @Test
  void secondTable_showsLastSecondAndTotalPerInstanceAndCode() {
    CallStats.Snapshot last =
        snapshot(1.0, 50, 49, 0, Map.of("greeter-1", 49L), Map.of("UNAVAILABLE", 1L), 1.2, 3.4, 5);
    CallStats.Snapshot total =
        snapshot(
            3.0,
            150,
            148,
            0,
            Map.of("greeter-1", 100L, "greeter-2", 48L),
            Map.of("UNAVAILABLE", 2L),
            1.1,
            3.0,
            6);

    assertThat(StatsReport.secondTable(3, last, total))
        .isEqualTo(
            "[   3s] 50 calls  49 ok  1 errors  0 skipped  p50 1.200 ms  p99 3.400 ms  max 5.000 ms\n"
                + "  instance       last 1s      total\n"
                + "  greeter-1           49        100\n"
                + "  greeter-2            0         48\n"
                + "  error          last 1s      total\n"
                + "  UNAVAILABLE          1          2\n");
  }

  @Test
  void secondTable_noErrorsSoFar_omitsErrorRows() {
    CallStats.Snapshot last = snapshot(1.0, 2, 2, 0, Map.of("a", 2L), Map.of(), 1, 1, 1);

    assertThat(StatsReport.secondTable(1, last, last)).doesNotContain("  error ");
  }

  @Test
  void finalSummary_endsWithSummaryLine() {
    CallStats.Snapshot total =
        snapshot(2.0, 100, 100, 0, Map.of("greeter-1", 100L), Map.of(), 1, 2, 3);

    String summary = StatsReport.finalSummary(total);

    assertThat(summary)
        .startsWith("summary: 2.0 s, 50.0 calls/s  100 calls  100 ok  0 errors  0 skipped")
        .contains("\n  greeter-1        100\n")
        .endsWith(StatsReport.summaryLine(total) + "\n");
  }
}
