package io.weft.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.weft.demo.helloworld.GreeterGrpc;
import io.weft.demo.helloworld.HelloReply;
import io.weft.demo.helloworld.HelloRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Open-loop latency at a fixed request rate: calls SayHello on a schedule whatever the answers
 * do, and measures each call from when it was due (so a stall is not hidden: no coordinated
 * omission), into an HdrHistogram in microseconds. Given several targets, the schedule's calls
 * go to them in turn, call by call, so that whatever else the machine does weighs on each alike;
 * each turn takes them in a new random order, so that no target always follows the same other.
 */
final class LatencyProbe {

  /** Where the probe calls: a port on loopback, and the {@code :authority} (null: the default). */
  record Target(int port, String authority) {}

  /** The latencies in microseconds, and the call counts. */
  record Result(Histogram histogram, long calls, long errors) {

    double p50() {
      return histogram.getValueAtPercentile(50);
    }

    double p90() {
      return histogram.getValueAtPercentile(90);
    }

    double p99() {
      return histogram.getValueAtPercentile(99);
    }

    double max() {
      return histogram.getMaxValue();
    }

    /** This run and {@code other} pooled. */
    Result plus(Result other) {
      Histogram pooled = histogram.copy();
      pooled.add(other.histogram);
      return new Result(pooled, calls + other.calls, errors + other.errors);
    }
  }

  /** One target's channel and what its calls measured. */
  private static final class Probe {
    final ManagedChannel channel;
    final GreeterGrpc.GreeterFutureStub stub;
    final Recorder recorder = new Recorder(TimeUnit.SECONDS.toMicros(10), 3);
    final AtomicLong calls = new AtomicLong();
    final AtomicLong errors = new AtomicLong();

    Probe(Target target) {
      NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", target.port())
          .usePlaintext().directExecutor();
      if (target.authority() != null) {
        builder.overrideAuthority(target.authority());
      }
      channel = builder.build();
      stub = GreeterGrpc.newFutureStub(channel);
    }

    void call(HelloRequest request, long due, boolean measured) {
      Futures.addCallback(
          stub.withDeadlineAfter(5, TimeUnit.SECONDS).sayHello(request),
          new FutureCallback<HelloReply>() {
            @Override
            public void onSuccess(HelloReply reply) {
              if (measured) {
                calls.incrementAndGet();
                recorder.recordValue(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - due));
              }
            }

            @Override
            public void onFailure(Throwable t) {
              if (measured) {
                errors.incrementAndGet();
              }
            }
          },
          MoreExecutors.directExecutor());
    }

    Result result() {
      return new Result(recorder.getIntervalHistogram(), calls.get(), errors.get());
    }

    void close() throws InterruptedException {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Seed of the turns' order: the same sequence of orders in every run. */
  private static final long TURN_ORDER_SEED = 20261125L;

  private LatencyProbe() {}

  /** Calls {@code target} {@code rate} times a second; measures the calls due after the warm-up. */
  static Result run(Target target, int rate, Duration warmup, Duration duration)
      throws InterruptedException {
    return run(List.of(target), rate, warmup, duration).get(0);
  }

  /**
   * Makes {@code rate} calls a second in all, taking the targets in turns (every target once per
   * turn, in a random order), and measures the calls due after the warm-up: one result per target,
   * in their order.
   */
  static List<Result> run(List<Target> targets, int rate, Duration warmup, Duration duration)
      throws InterruptedException {
    List<Probe> probes = new ArrayList<>();
    ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
    try {
      for (Target target : targets) {
        probes.add(new Probe(target));
      }
      HelloRequest request = HelloRequest.newBuilder().setName("bench").build();
      long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
      long start = System.nanoTime();
      long measureFrom = start + warmup.toNanos();
      long end = measureFrom + duration.toNanos();
      AtomicLong sequence = new AtomicLong();
      List<Probe> turn = new ArrayList<>(probes);
      Random order = new Random(TURN_ORDER_SEED);
      ticks.scheduleAtFixedRate(
          () -> {
            long n = sequence.getAndIncrement();
            int position = (int) (n % turn.size());
            if (position == 0) {
              Collections.shuffle(turn, order);
            }
            long due = start + n * periodNanos;
            turn.get(position).call(request, due, due >= measureFrom && due < end);
          },
          0,
          periodNanos,
          TimeUnit.NANOSECONDS);
      TimeUnit.NANOSECONDS.sleep(end - System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
      ticks.shutdownNow();
      return probes.stream().map(Probe::result).toList();
    } finally {
      ticks.shutdownNow();
      for (Probe probe : probes) {
        probe.close();
      }
    }
  }
}
