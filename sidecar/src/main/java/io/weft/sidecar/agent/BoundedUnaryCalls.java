package io.weft.sidecar.agent;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.SynchronizationContext.ScheduledHandle;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts unary calls bounded by a timeout on the injected scheduler (so a fake clock drives it)
 * and reports each outcome once, in the agent's synchronization context.
 */
final class BoundedUnaryCalls {

  /** The outcome of one call; called in the synchronization context, once, unless cancelled. */
  interface Outcome<RespT> {
    void onResponse(RespT response);

    /** The call failed, or its bound passed ({@code DEADLINE_EXCEEDED}). */
    void onFailure(Status status);
  }

  /** A started call. */
  interface Pending {
    /** Cancels the call; its outcome is not reported. Call in the synchronization context. */
    void cancel();
  }

  private final SynchronizationContext syncContext;
  private final ScheduledExecutorService scheduler;

  BoundedUnaryCalls(SynchronizationContext syncContext, ScheduledExecutorService scheduler) {
    this.syncContext = requireNonNull(syncContext, "syncContext");
    this.scheduler = requireNonNull(scheduler, "scheduler");
  }

  /** Starts {@code method} on {@code channel}; call in the synchronization context. */
  <ReqT, RespT> Pending start(
      Channel channel,
      MethodDescriptor<ReqT, RespT> method,
      ReqT request,
      Duration timeout,
      Outcome<RespT> outcome) {
    ClientCall<ReqT, RespT> call = channel.newCall(method, CallOptions.DEFAULT);
    Call<ReqT, RespT> pending = new Call<>(call, outcome);
    pending.timer = syncContext.schedule(
        () -> pending.finish(null, Status.DEADLINE_EXCEEDED.withDescription(
            method.getBareMethodName() + " timed out after " + timeout.toMillis() + " ms")),
        timeout.toNanos(), TimeUnit.NANOSECONDS, scheduler);
    ClientCalls.asyncUnaryCall(call, request, pending);
    return pending;
  }

  private final class Call<ReqT, RespT> implements Pending, StreamObserver<RespT> {
    private final ClientCall<ReqT, RespT> call;
    private final Outcome<RespT> outcome;
    private ScheduledHandle timer;
    private boolean done;
    private volatile RespT response;

    Call(ClientCall<ReqT, RespT> call, Outcome<RespT> outcome) {
      this.call = call;
      this.outcome = outcome;
    }

    @Override
    public void onNext(RespT value) {
      response = value;
    }

    @Override
    public void onError(Throwable t) {
      Status status = Status.fromThrowable(t);
      syncContext.execute(() -> finish(null, status));
    }

    @Override
    public void onCompleted() {
      RespT value = response;
      syncContext.execute(() -> finish(value, Status.OK));
    }

    void finish(RespT value, Status status) {
      if (done) {
        return;
      }
      done = true;
      timer.cancel();
      if (status.isOk()) {
        outcome.onResponse(value);
      } else {
        call.cancel(Statuses.describe(status), null);
        outcome.onFailure(status);
      }
    }

    @Override
    public void cancel() {
      if (done) {
        return;
      }
      done = true;
      timer.cancel();
      call.cancel("cancelled by the agent", null);
    }
  }
}
