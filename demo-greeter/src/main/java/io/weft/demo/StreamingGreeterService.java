package io.weft.demo;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.weft.demo.helloworld.HelloReply;
import io.weft.demo.helloworld.HelloStreamRequest;
import io.weft.demo.helloworld.StreamingGreeterGrpc;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code helloworld.StreamingGreeter}: streams {@code count} greetings spaced by {@code
 * interval_millis}, timed by the injected scheduler; no thread waits between replies.
 */
final class StreamingGreeterService extends StreamingGreeterGrpc.StreamingGreeterImplBase {

  static final int DEFAULT_COUNT = 5;
  static final int MAX_COUNT = 1000;
  static final int DEFAULT_INTERVAL_MILLIS = 100;
  static final int MAX_INTERVAL_MILLIS = 10_000;

  private final String instanceId;
  private final ScheduledExecutorService scheduler;

  StreamingGreeterService(String instanceId, ScheduledExecutorService scheduler) {
    this.instanceId = requireNonNull(instanceId, "instanceId");
    this.scheduler = requireNonNull(scheduler, "scheduler");
  }

  @Override
  public void sayHelloStream(
      HelloStreamRequest request, StreamObserver<HelloReply> responseObserver) {
    int count = request.getCount();
    int interval = request.getIntervalMillis();
    if (Integer.compareUnsigned(count, MAX_COUNT) > 0) {
      responseObserver.onError(
          invalid("count: " + Integer.toUnsignedString(count)
              + " (expected: 1.." + MAX_COUNT + ", or 0 for " + DEFAULT_COUNT + ")"));
      return;
    }
    if (Integer.compareUnsigned(interval, MAX_INTERVAL_MILLIS) > 0) {
      responseObserver.onError(
          invalid("interval_millis: " + Integer.toUnsignedString(interval)
              + " (expected: 1.." + MAX_INTERVAL_MILLIS + ", or 0 for "
              + DEFAULT_INTERVAL_MILLIS + ")"));
      return;
    }
    new GreetingStream(
            (ServerCallStreamObserver<HelloReply>) responseObserver,
            request.getName(),
            count == 0 ? DEFAULT_COUNT : count,
            interval == 0 ? DEFAULT_INTERVAL_MILLIS : interval)
        .start();
  }

  private static RuntimeException invalid(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
  }

  /**
   * One stream. Each reply is sent by a scheduled task that schedules the next one, so calls to
   * the observer never overlap; cancellation only stops the chain.
   */
  private final class GreetingStream implements Runnable {
    private final ServerCallStreamObserver<HelloReply> observer;
    private final String name;
    private final int count;
    private final long intervalMillis;
    private int sent;
    private volatile boolean cancelled;
    private volatile ScheduledFuture<?> next;

    GreetingStream(
        ServerCallStreamObserver<HelloReply> observer, String name, int count, long intervalMillis) {
      this.observer = observer;
      this.name = name;
      this.count = count;
      this.intervalMillis = intervalMillis;
    }

    void start() {
      observer.setOnCancelHandler(
          () -> {
            cancelled = true;
            ScheduledFuture<?> pending = next;
            if (pending != null) {
              pending.cancel(false);
            }
          });
      scheduleNext(0);
    }

    @Override
    public void run() {
      if (cancelled) {
        return;
      }
      sent++;
      observer.onNext(
          HelloReply.newBuilder()
              .setMessage(Greetings.streamReply(name, instanceId, sent, count))
              .build());
      if (sent == count) {
        observer.onCompleted();
      } else {
        scheduleNext(intervalMillis);
      }
    }

    private void scheduleNext(long delayMillis) {
      try {
        next = scheduler.schedule(this, delayMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        observer.onError(
            Status.UNAVAILABLE
                .withDescription("greeter " + instanceId + " is shutting down")
                .withCause(e)
                .asRuntimeException());
      }
    }
  }
}
