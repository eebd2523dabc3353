package io.weft.demo;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import io.grpc.Status;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Thread-safe call statistics of the load client: per answering instance, per error code, and
 * latency percentiles of successful calls, both over the whole run and over one-second windows
 * aligned on the moment the stats were created (second 0 is [0 s, 1 s)).
 *
 * <p>Time comes from the injected ticker, so a test moves windows exactly. Recording and reading
 * take one short lock.
 */
public final class CallStats {

  private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Ticker ticker;
  private final long startNanos;
  private final Object lock = new Object();
  private final Window total = new Window();
  private Window current = new Window();
  private Window previous = new Window();
  private long currentSecond;

  /** Stats whose time zero is now on {@code ticker}. */
  public CallStats(Ticker ticker) {
    this.ticker = requireNonNull(ticker, "ticker");
    this.startNanos = ticker.read();
  }

  /**
   * Records one finished call.
   *
   * @param instanceId the instance that answered, or null when unknown (it then counts in no
   *     instance's column)
   * @param code how the call ended; only OK calls contribute to latency percentiles
   * @param latencyNanos from starting the call to its close
   */
  public void record(String instanceId, Status.Code code, long latencyNanos) {
    requireNonNull(code, "code");
    if (latencyNanos < 0) {
      throw new IllegalArgumentException("latencyNanos: " + latencyNanos + " (expected: >= 0)");
    }
    synchronized (lock) {
      rollToNow();
      current.add(instanceId, code, latencyNanos);
      total.add(instanceId, code, latencyNanos);
    }
  }

  /** Records a call that was due but not started because the concurrency limit was reached. */
  public void recordSkipped() {
    synchronized (lock) {
      rollToNow();
      current.skipped++;
      total.skipped++;
    }
  }

  /**
   * The last complete one-second window: the second before the one now running (empty during
   * the first second, and after a second with no calls).
   */
  public Snapshot lastSecond() {
    synchronized (lock) {
      rollToNow();
      return previous.snapshot(1.0);
    }
  }

  /** Everything recorded since the stats were created. */
  public Snapshot total() {
    synchronized (lock) {
      return total.snapshot((ticker.read() - startNanos) / (double) SECOND_NANOS);
    }
  }

  /** Whole seconds elapsed since the stats were created. */
  public long elapsedSeconds() {
    return (ticker.read() - startNanos) / SECOND_NANOS;
  }

  private void rollToNow() {
    long second = elapsedSeconds();
    if (second == currentSecond) {
      return;
    }
    previous = second == currentSecond + 1 ? current : new Window();
    current = new Window();
    currentSecond = second;
  }

  /**
   * An immutable view of some calls.
   *
   * @param seconds how long the view covers
   * @param calls finished calls
   * @param ok calls that ended OK
   * @param skipped calls not started because the concurrency limit was reached
   * @param byInstance finished calls per answering instance id, sorted by id
   * @param errorsByCode failed calls per status code name, sorted by name
   * @param p50Millis median latency of OK calls, 0 when none
   * @param p99Millis 99th percentile latency of OK calls, 0 when none
   * @param maxMillis highest latency of an OK call, 0 when none
   */
  public record Snapshot(
      double seconds,
      long calls,
      long ok,
      long skipped,
      SortedMap<String, Long> byInstance,
      SortedMap<String, Long> errorsByCode,
      double p50Millis,
      double p99Millis,
      double maxMillis) {

    /** Copies the maps so the snapshot stays immutable. */
    public Snapshot {
      byInstance = Collections.unmodifiableSortedMap(new TreeMap<>(byInstance));
      errorsByCode = Collections.unmodifiableSortedMap(new TreeMap<>(errorsByCode));
    }

    /** Calls that did not end OK. */
    public long errors() {
      return calls - ok;
    }
  }

  /** Counters and a latency histogram; guarded by the stats' lock. */
  private static final class Window {
    private final Histogram latencyMicros = new Histogram(3);
    private final SortedMap<String, Long> byInstance = new TreeMap<>();
    private final SortedMap<String, Long> errorsByCode = new TreeMap<>();
    private long calls;
    private long ok;
    private long skipped;

    void add(String instanceId, Status.Code code, long latencyNanos) {
      calls++;
      if (instanceId != null) {
        byInstance.merge(instanceId, 1L, Long::sum);
      }
      if (code == Status.Code.OK) {
        ok++;
        latencyMicros.recordValue(TimeUnit.NANOSECONDS.toMicros(latencyNanos));
      } else {
        errorsByCode.merge(code.name(), 1L, Long::sum);
      }
    }

    Snapshot snapshot(double seconds) {
      boolean any = latencyMicros.getTotalCount() > 0;
      return new Snapshot(
          seconds,
          calls,
          ok,
          skipped,
          byInstance,
          errorsByCode,
          any ? latencyMicros.getValueAtPercentile(50) / 1000.0 : 0,
          any ? latencyMicros.getValueAtPercentile(99) / 1000.0 : 0,
          any ? latencyMicros.getMaxValue() / 1000.0 : 0);
    }
  }
}
