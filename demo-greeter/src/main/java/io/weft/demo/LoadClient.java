package io.weft.demo;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load client: calls the greeter at a steady rate for a while, prints a {@link
 * StatsReport#secondTable table} every second and a {@link StatsReport#finalSummary summary} at
 * the end. {@link #run()} returns when the duration has passed or {@link #stop()} was called.
 */
public final class LoadClient {

  private static final Logger logger = LoggerFactory.getLogger(LoadClient.class);

  /** Extra time, after the call deadline, that calls in flight get to end once stopped. */
  private static final Duration DRAIN_MARGIN = Duration.ofSeconds(5);

  /** How long the client waits for its channel to connect before it starts the load anyway. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final Options options;
  private final PrintWriter out;
  private final Ticker ticker;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch connectedOrStopped = new CountDownLatch(1);
  private final Object printLock = new Object();
  private boolean finished;

  /**
   * What to call and how hard.
   *
   * @param target the gRPC target to dial, e.g. {@code localhost:15001}
   * @param authority the {@code :authority} to send, or empty for the target's
   * @param rate calls started per second, 1..1,000,000
   * @param concurrency calls in flight at most, 1..100,000
   * @param duration how long to run; zero runs until {@link #stop()}
   * @param name the name to greet
   * @param deadline per-call deadline, > 0
   * @param stream call {@code SayHelloStream} instead of {@code SayHello}
   * @param streamCount replies per stream, 1..1000
   * @param streamInterval time between streamed replies, 1 ms..10 s
   * @param failOnError make {@link #run()} return 1 when any call failed
   */
  public record Options(
      String target,
      String authority,
      long rate,
      int concurrency,
      Duration duration,
      String name,
      Duration deadline,
      boolean stream,
      int streamCount,
      Duration streamInterval,
      boolean failOnError) {

    /** Checks every field; an invalid one throws {@link IllegalArgumentException} naming it. */
    public Options {
      requireNonNull(target, "target");
      requireNonNull(authority, "authority");
      requireNonNull(duration, "duration");
      requireNonNull(name, "name");
      requireNonNull(deadline, "deadline");
      requireNonNull(streamInterval, "streamInterval");
      check(!target.isBlank(), "--target: '" + target + "' (expected: host:port or a gRPC target)");
      check(rate >= 1 && rate <= 1_000_000, "--rate: " + rate + " (expected: 1..1000000)");
      check(
          concurrency >= 1 && concurrency <= 100_000,
          "--concurrency: " + concurrency + " (expected: 1..100000)");
      check(!duration.isNegative(), "--duration: " + duration + " (expected: >= 0, 0 = forever)");
      check(
          !deadline.isNegative() && !deadline.isZero(),
          "--deadline: " + deadline + " (expected: > 0)");
      check(
          streamCount >= 1 && streamCount <= StreamingGreeterService.MAX_COUNT,
          "--stream-count: " + streamCount
              + " (expected: 1.." + StreamingGreeterService.MAX_COUNT + ")");
      check(
          streamInterval.toMillis() >= 1
              && streamInterval.toMillis() <= StreamingGreeterService.MAX_INTERVAL_MILLIS,
          "--stream-interval: " + streamInterval + " (expected: 1ms..10s)");
    }

    private static void check(boolean valid, String message) {
      if (!valid) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  /** A client that prints to {@code out} and times calls with {@code ticker}. */
  public LoadClient(Options options, PrintWriter out, Ticker ticker) {
    this.options = requireNonNull(options, "options");
    this.out = requireNonNull(out, "out");
    this.ticker = requireNonNull(ticker, "ticker");
  }

  /** Asks {@link #run()} to stop starting calls and finish; safe from any thread. */
  public void stop() {
    stopRequested.countDown();
    connectedOrStopped.countDown();
  }

  /**
   * Runs the load, prints the tables and the summary, and releases every resource.
   *
   * @return 0, or 1 if {@code failOnError} and a call failed
   */
  public int run() throws InterruptedException {
    ManagedChannelBuilder<?> builder =
        Grpc.newChannelBuilder(options.target(), InsecureChannelCredentials.create());
    if (!options.authority().isEmpty()) {
      builder.overrideAuthority(options.authority());
    }
    ManagedChannel channel = builder.build();
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "greeter-client-pacer");
              thread.setDaemon(true);
              return thread;
            });
    try {
      awaitConnected(channel);
      CallStats stats = new CallStats(ticker);
      RatePacer pacer =
          new RatePacer(
              options.rate(),
              options.concurrency(),
              ticker,
              scheduler,
              launcher(channel, stats),
              stats::recordSkipped);
      ScheduledFuture<?> printer =
          scheduler.scheduleAtFixedRate(() -> printSecond(stats), 1, 1, TimeUnit.SECONDS);
      logger.info(
          "calling {} on {} at {}/s, at most {} in flight, for {}",
          options.stream() ? "SayHelloStream" : "SayHello",
          options.target(),
          options.rate(),
          options.concurrency(),
          options.duration().isZero() ? "ever" : options.duration());
      pacer.start();
      if (options.duration().isZero()) {
        stopRequested.await();
      } else {
        stopRequested.await(options.duration().toNanos(), TimeUnit.NANOSECONDS);
      }
      pacer.stop();
      printer.cancel(false);
      if (!pacer.awaitIdle(options.deadline().plus(DRAIN_MARGIN))) {
        logger.warn("{} calls still in flight, not waiting for them", pacer.inFlight());
      }
      CallStats.Snapshot total = stats.total();
      synchronized (printLock) {
        finished = true;
        out.print(StatsReport.finalSummary(total));
        out.flush();
      }
      return options.failOnError() && total.errors() > 0 ? 1 : 0;
    } finally {
      channel.shutdownNow();
      scheduler.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Waits, at most {@link #CONNECT_TIMEOUT} or until stopped, for the channel to be READY, so the
   * first calls do not pay for connecting and fail their deadline.
   */
  private void awaitConnected(ManagedChannel channel) throws InterruptedException {
    notifyWhenReady(channel);
    if (!connectedOrStopped.await(CONNECT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
      logger.warn(
          "{} not connected after {} s ({}), starting anyway",
          options.target(),
          CONNECT_TIMEOUT.toSeconds(),
          channel.getState(false));
    }
  }

  private void notifyWhenReady(ManagedChannel channel) {
    ConnectivityState state = channel.getState(true);
    if (state == ConnectivityState.READY) {
      connectedOrStopped.countDown();
    } else if (state != ConnectivityState.SHUTDOWN) {
      channel.notifyWhenStateChanged(state, () -> notifyWhenReady(channel));
    }
  }

  private RatePacer.CallLauncher launcher(ManagedChannel channel, CallStats stats) {
    if (options.stream()) {
      return GreeterCallLauncher.streaming(
          channel,
          stats,
          ticker,
          options.deadline(),
          options.name(),
          options.streamCount(),
          options.streamInterval());
    }
    return GreeterCallLauncher.unary(channel, stats, ticker, options.deadline(), options.name());
  }

  private void printSecond(CallStats stats) {
    synchronized (printLock) {
      if (finished) {
        return;
      }
      out.print(StatsReport.secondTable(stats.elapsedSeconds(), stats.lastSecond(), stats.total()));
      out.flush();
    }
  }
}
