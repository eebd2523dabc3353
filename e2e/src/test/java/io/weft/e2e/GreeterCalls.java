package io.weft.e2e;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.weft.demo.UpstreamHeader;
import io.weft.demo.helloworld.GreeterGrpc;
import io.weft.demo.helloworld.HelloReply;
import io.weft.demo.helloworld.HelloRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code helloworld.Greeter/SayHello} calls as the test client makes them: a plain grpc-java
 * channel with retries off, each call timed and its answering instance read from the {@code
 * x-weft-upstream} response header.
 */
final class GreeterCalls {

  /** Deadline of every call: generous, so only a real failure fails a call. */
  static final Duration DEADLINE = Duration.ofSeconds(20);

  private GreeterCalls() {}

  /**
   * A plaintext channel to 127.0.0.1:{@code port} with retries disabled, so that nothing hides a
   * failed call; with {@code authority} as {@code :authority} when not null.
   */
  static ManagedChannel channel(int port, String authority) {
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().disableRetry();
    if (authority != null) {
      builder.overrideAuthority(authority);
    }
    return builder.build();
  }

  /**
   * One finished call.
   *
   * @param startNanos {@link System#nanoTime()} when the call was started
   * @param endNanos {@link System#nanoTime()} when it closed
   * @param status how it ended
   * @param upstream the {@code x-weft-upstream} header, or null when there was none
   * @param message the reply, or null when the call failed
   */
  record Answer(long startNanos, long endNanos, Status status, String upstream, String message) {

    boolean ok() {
      return status.isOk();
    }

    /** The instance id named by {@code x-weft-upstream}, or null. */
    String instanceId() {
      return UpstreamHeader.instanceId(upstream);
    }

    /** Whether the reply was written by the instance the header names. */
    boolean headerMatchesReply() {
      return message != null && instanceId() != null && message.endsWith(" from " + instanceId());
    }

    @Override
    public String toString() {
      return status.getCode() + (status.getDescription() == null ? "" : " " + status
          .getDescription()) + " upstream=" + upstream + " reply=" + message;
    }
  }

  /** Starts {@code SayHello(name)}; the future completes (never exceptionally) when it closes. */
  static CompletableFuture<Answer> sayHello(Channel channel, String name) {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    ClientCall<HelloRequest, HelloReply> call = channel.newCall(GreeterGrpc.getSayHelloMethod(),
        CallOptions.DEFAULT.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    long start = System.nanoTime();
    call.start(new ClientCall.Listener<>() {
      private String upstream;
      private String message;

      @Override
      public void onHeaders(Metadata headers) {
        upstream = headers.get(UpstreamHeader.KEY);
      }

      @Override
      public void onMessage(HelloReply reply) {
        message = reply.getMessage();
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        answer.complete(new Answer(start, System.nanoTime(), status, upstream, message));
      }
    }, new Metadata());
    call.request(2);
    call.sendMessage(HelloRequest.newBuilder().setName(name).build());
    call.halfClose();
    return answer;
  }

  /** {@code SayHello(name)}, waiting for the answer. */
  static Answer sayHelloNow(Channel channel, String name) {
    return sayHello(channel, name).orTimeout(DEADLINE.toSeconds() + 10, TimeUnit.SECONDS).join();
  }
}
