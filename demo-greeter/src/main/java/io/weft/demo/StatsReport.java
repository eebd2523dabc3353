package io.weft.demo;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Renders {@link CallStats} snapshots as text: the table the load client prints every second, the
 * final summary, and its one machine-readable {@code SUMMARY} line.
 */
public final class StatsReport {

  private StatsReport() {}

  /**
   * The per-second table: a headline for the last second, then per instance and per error code
   * the count of the last second and the total so far. Every instance seen so far gets a row, so
   * an instance that stopped answering shows 0.
   *
   * <pre>
   * [   3s] 50 calls  50 ok  0 errors  0 skipped  p50 1.210 ms  p99 3.400 ms  max 5.020 ms
   *   instance     last 1s      total
   *   greeter-1         25         75
   *   greeter-2         25         74
   *   error        last 1s      total
   *   UNAVAILABLE        0          1
   * </pre>
   */
  public static String secondTable(long second, CallStats.Snapshot last, CallStats.Snapshot total) {
    requireNonNull(last, "last");
    requireNonNull(total, "total");
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "[%4ds] ", second)).append(headline(last)).append('\n');
    int width = labelWidth(total);
    appendTwoColumns(out, width, "instance", last.byInstance(), total.byInstance());
    if (!total.errorsByCode().isEmpty()) {
      appendTwoColumns(out, width, "error", last.errorsByCode(), total.errorsByCode());
    }
    return out.toString();
  }

  /**
   * The final summary: a headline for the whole run, calls per instance and per error code, and
   * the {@link #summaryLine} last.
   */
  public static String finalSummary(CallStats.Snapshot total) {
    requireNonNull(total, "total");
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "summary: %.1f s, %.1f calls/s  ",
            total.seconds(),
            total.seconds() > 0 ? total.calls() / total.seconds() : 0.0));
    out.append(headline(total)).append('\n');
    int width = labelWidth(total);
    appendOneColumn(out, width, "instance", total.byInstance());
    if (!total.errorsByCode().isEmpty()) {
      appendOneColumn(out, width, "error", total.errorsByCode());
    }
    out.append(summaryLine(total)).append('\n');
    return out.toString();
  }

  /**
   * One line for scripts, space-separated {@code key=value} pairs after the word {@code
   * SUMMARY}; lists are {@code name:count} joined by commas (empty when there is nothing):
   *
   * <pre>
   * SUMMARY total=120 ok=119 errors=1 skipped=0 duration_s=2.40 by_instance=a:60,b:59
   *     by_code=UNAVAILABLE:1 p50_ms=1.210 p99_ms=3.400 max_ms=5.020
   * </pre>
   *
   * (on one line). {@code by_instance} counts finished calls per answering instance, {@code
   * by_code} failed calls per status code; latencies are of OK calls.
   */
  public static String summaryLine(CallStats.Snapshot total) {
    requireNonNull(total, "total");
    return String.format(
        Locale.ROOT,
        "SUMMARY total=%d ok=%d errors=%d skipped=%d duration_s=%.2f by_instance=%s by_code=%s"
            + " p50_ms=%.3f p99_ms=%.3f max_ms=%.3f",
        total.calls(),
        total.ok(),
        total.errors(),
        total.skipped(),
        total.seconds(),
        joinCounts(total.byInstance()),
        joinCounts(total.errorsByCode()),
        total.p50Millis(),
        total.p99Millis(),
        total.maxMillis());
  }

  private static String headline(CallStats.Snapshot snapshot) {
    return String.format(
        Locale.ROOT,
        "%d calls  %d ok  %d errors  %d skipped  p50 %.3f ms  p99 %.3f ms  max %.3f ms",
        snapshot.calls(),
        snapshot.ok(),
        snapshot.errors(),
        snapshot.skipped(),
        snapshot.p50Millis(),
        snapshot.p99Millis(),
        snapshot.maxMillis());
  }

  private static int labelWidth(CallStats.Snapshot total) {
    int width = "instance".length();
    for (String name : total.byInstance().keySet()) {
      width = Math.max(width, name.length());
    }
    for (String name : total.errorsByCode().keySet()) {
      width = Math.max(width, name.length());
    }
    return width;
  }

  private static void appendTwoColumns(
      StringBuilder out,
      int width,
      String heading,
      SortedMap<String, Long> last,
      SortedMap<String, Long> total) {
    TreeSet<String> names = new TreeSet<>(total.keySet());
    names.addAll(last.keySet());
    String format = "  %-" + width + "s %10s %10s\n";
    out.append(String.format(Locale.ROOT, format, heading, "last 1s", "total"));
    for (String name : names) {
      out.append(
          String.format(
              Locale.ROOT, format, name, last.getOrDefault(name, 0L), total.getOrDefault(name, 0L)));
    }
  }

  private static void appendOneColumn(
      StringBuilder out, int width, String heading, SortedMap<String, Long> counts) {
    String format = "  %-" + width + "s %10s\n";
    out.append(String.format(Locale.ROOT, format, heading, "calls"));
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      out.append(String.format(Locale.ROOT, format, entry.getKey(), entry.getValue()));
    }
  }

  private static String joinCounts(SortedMap<String, Long> counts) {
    return counts.entrySet().stream()
        .map(e -> e.getKey() + ":" + e.getValue())
        .collect(Collectors.joining(","));
  }
}
