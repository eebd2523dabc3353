package io.weft.demo;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Starts calls at a steady rate with at most {@code concurrency} in flight (open loop). Every
 * {@link #TICK} it starts the calls that have come due since {@link #start()}; a due call that
 * finds every slot busy is not started but counted as skipped, so a slow server shows up as
 * skipped calls instead of a growing backlog. Calls are asynchronous: no thread waits for one.
 */
public final class RatePacer {

  /** How often due calls are started. */
  static final Duration TICK = Duration.ofMillis(10);

  /** Starts one asynchronous call. */
  public interface CallLauncher {
    /**
     * Starts a call without blocking and runs {@code onDone} exactly once when it has ended
     * (however it ended). Must not throw.
     */
    void launch(Runnable onDone);
  }

  /** Told about calls that were due but found every slot busy. */
  public interface SkipListener {
    /** One due call was skipped. */
    void onSkipped();
  }

  private final long ratePerSecond;
  private final int concurrency;
  private final Ticker ticker;
  private final ScheduledExecutorService scheduler;
  private final CallLauncher launcher;
  private final SkipListener skipListener;
  private final Semaphore slots;
  private long startNanos;
  private long dueSoFar;
  private volatile boolean stopped;
  private ScheduledFuture<?> ticks;

  /**
   * A pacer that will start {@code ratePerSecond} calls a second (1..1,000,000), at most {@code
   * concurrency} at a time (1..100,000), on {@code scheduler}, timed by {@code ticker}.
   */
  public RatePacer(
      long ratePerSecond,
      int concurrency,
      Ticker ticker,
      ScheduledExecutorService scheduler,
      CallLauncher launcher,
      SkipListener skipListener) {
    if (ratePerSecond < 1 || ratePerSecond > 1_000_000) {
      throw new IllegalArgumentException(
          "rate: " + ratePerSecond + " (expected: 1..1000000 calls per second)");
    }
    if (concurrency < 1 || concurrency > 100_000) {
      throw new IllegalArgumentException("concurrency: " + concurrency + " (expected: 1..100000)");
    }
    this.ratePerSecond = ratePerSecond;
    this.concurrency = concurrency;
    this.ticker = requireNonNull(ticker, "ticker");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.launcher = requireNonNull(launcher, "launcher");
    this.skipListener = requireNonNull(skipListener, "skipListener");
    this.slots = new Semaphore(concurrency);
  }

  /** Starts pacing; the first call is due at once. Call once. */
  public synchronized void start() {
    if (ticks != null) {
      throw new IllegalStateException("pacer already started");
    }
    startNanos = ticker.read();
    ticks =
        scheduler.scheduleAtFixedRate(this::tick, 0, TICK.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Starts no more calls; calls in flight go on until they end. */
  public synchronized void stop() {
    stopped = true;
    if (ticks != null) {
      ticks.cancel(false);
    }
  }

  /** Waits until no call is in flight, at most {@code timeout}; true if none is. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    if (!slots.tryAcquire(concurrency, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      return false;
    }
    slots.release(concurrency);
    return true;
  }

  /** Calls in flight now. */
  public int inFlight() {
    return concurrency - slots.availablePermits();
  }

  private void tick() {
    long elapsed = ticker.read() - startNanos;
    long seconds = elapsed / TimeUnit.SECONDS.toNanos(1);
    long fraction = elapsed % TimeUnit.SECONDS.toNanos(1);
    long due = seconds * ratePerSecond + fraction * ratePerSecond / TimeUnit.SECONDS.toNanos(1) + 1;
    while (dueSoFar < due && !stopped) {
      dueSoFar++;
      if (slots.tryAcquire()) {
        launcher.launch(slots::release);
      } else {
        skipListener.onSkipped();
      }
    }
  }
}
