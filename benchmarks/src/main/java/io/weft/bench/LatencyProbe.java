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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Open-loop latency at a fixed request rate: calls SayHello on a schedule whatever the answers
 * do, and measures each call from when it was due (so a stall is not hidden: no coordinated
 * omission), into an HdrHistogram in microseconds.
 */
final class LatencyProbe {

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

  private LatencyProbe() {}

  static Result run(int port, String authority, int rate, Duration warmup, Duration duration)
      throws InterruptedException {
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor();
    if (authority != null) {
      builder.overrideAuthority(authority);
    }
    ManagedChannel channel = builder.build();
    ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
    Recorder recorder = new Recorder(TimeUnit.SECONDS.toMicros(10), 3);
    AtomicLong calls = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    try {
      GreeterGrpc.GreeterFutureStub stub = GreeterGrpc.newFutureStub(channel);
      HelloRequest request = HelloRequest.newBuilder().setName("bench").build();
      long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
      long start = System.nanoTime();
      long measureFrom = start + warmup.toNanos();
      long end = measureFrom + duration.toNanos();
      AtomicLong sequence = new AtomicLong();
      ticks.scheduleAtFixedRate(
          () -> {
            long due = start + sequence.getAndIncrement() * periodNanos;
            boolean measured = due >= measureFrom && due < end;
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
          },
          0,
          periodNanos,
          TimeUnit.NANOSECONDS);
      TimeUnit.NANOSECONDS.sleep(end - System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
      ticks.shutdownNow();
      return new Result(recorder.getIntervalHistogram(), calls.get(), errors.get());
    } finally {
      ticks.shutdownNow();
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
