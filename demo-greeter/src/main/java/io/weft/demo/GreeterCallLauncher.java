package io.weft.demo;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.weft.demo.helloworld.GreeterGrpc;
import io.weft.demo.helloworld.HelloReply;
import io.weft.demo.helloworld.HelloRequest;
import io.weft.demo.helloworld.HelloStreamRequest;
import io.weft.demo.helloworld.StreamingGreeterGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Starts one greeter call per {@link #launch} ({@code SayHello}, or {@code SayHelloStream} read to
 * its end) and records it in {@link CallStats} when it closes: the answering instance (from the
 * {@code x-weft-upstream} response header, or trailer of a trailers-only response, when present,
 * else from the first reply), the status code, and the latency from start to close.
 */
public final class GreeterCallLauncher<ReqT> implements RatePacer.CallLauncher {

  private final Channel channel;
  private final CallStats stats;
  private final Ticker ticker;
  private final Duration deadline;
  private final MethodDescriptor<ReqT, HelloReply> method;
  private final ReqT request;

  private GreeterCallLauncher(
      Channel channel,
      CallStats stats,
      Ticker ticker,
      Duration deadline,
      MethodDescriptor<ReqT, HelloReply> method,
      ReqT request) {
    this.channel = requireNonNull(channel, "channel");
    this.stats = requireNonNull(stats, "stats");
    this.ticker = requireNonNull(ticker, "ticker");
    this.deadline = requireNonNull(deadline, "deadline");
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline: " + deadline + " (expected: > 0)");
    }
    this.method = requireNonNull(method, "method");
    this.request = requireNonNull(request, "request");
  }

  /** Calls {@code helloworld.Greeter/SayHello} with {@code name}. */
  public static GreeterCallLauncher<HelloRequest> unary(
      Channel channel, CallStats stats, Ticker ticker, Duration deadline, String name) {
    return new GreeterCallLauncher<>(
        channel,
        stats,
        ticker,
        deadline,
        GreeterGrpc.getSayHelloMethod(),
        HelloRequest.newBuilder().setName(requireNonNull(name, "name")).build());
  }

  /**
   * Calls {@code helloworld.StreamingGreeter/SayHelloStream} for {@code count} replies {@code
   * interval} apart; the whole stream is one call.
   */
  public static GreeterCallLauncher<HelloStreamRequest> streaming(
      Channel channel,
      CallStats stats,
      Ticker ticker,
      Duration deadline,
      String name,
      int count,
      Duration interval) {
    return new GreeterCallLauncher<>(
        channel,
        stats,
        ticker,
        deadline,
        StreamingGreeterGrpc.getSayHelloStreamMethod(),
        HelloStreamRequest.newBuilder()
            .setName(requireNonNull(name, "name"))
            .setCount(count)
            .setIntervalMillis((int) interval.toMillis())
            .build());
  }

  @Override
  public void launch(Runnable onDone) {
    requireNonNull(onDone, "onDone");
    ClientCall<ReqT, HelloReply> call =
        channel.newCall(
            method,
            CallOptions.DEFAULT.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS));
    call.start(new Listener(call, ticker.read(), onDone), new Metadata());
    call.request(1);
    call.sendMessage(request);
    call.halfClose();
  }

  /** Follows one call; gRPC calls it serially. */
  private final class Listener extends ClientCall.Listener<HelloReply> {
    private final ClientCall<?, HelloReply> call;
    private final long startNanos;
    private final Runnable onDone;
    private String instanceId;

    Listener(ClientCall<?, HelloReply> call, long startNanos, Runnable onDone) {
      this.call = call;
      this.startNanos = startNanos;
      this.onDone = onDone;
    }

    @Override
    public void onHeaders(Metadata headers) {
      instanceId = UpstreamHeader.instanceId(headers);
    }

    @Override
    public void onMessage(HelloReply reply) {
      if (instanceId == null) {
        instanceId = Greetings.instanceFromReply(reply.getMessage());
      }
      call.request(1);
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (instanceId == null) {
        instanceId = UpstreamHeader.instanceId(trailers);
      }
      try {
        stats.record(instanceId, status.getCode(), Math.max(0, ticker.read() - startNanos));
      } finally {
        onDone.run();
      }
    }
  }
}
