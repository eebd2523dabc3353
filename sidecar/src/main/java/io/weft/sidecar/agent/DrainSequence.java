package io.weft.sidecar.agent;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.SynchronizationContext.ScheduledHandle;
import io.weft.mesh.v1.DeregisterResponse;
import io.weft.mesh.v1.DrainConfirmation;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The graceful exit of one instance, step by step, each bounded:
 *
 * <ol>
 *   <li>Deregister with grace = drain confirm timeout + in-flight timeout, so the control plane
 *       keeps the instance DRAINING while the rest runs;
 *   <li>wait for DRAIN_CONFIRMED on the KeepAlive stream (every caller stopped picking it), at
 *       most the drain confirm timeout from the start; renewals go on meanwhile;
 *   <li>wait for in-flight calls to reach zero ({@code whenIdle}), at most the in-flight timeout;
 *   <li>Deregister with grace 0 (removed at once), then stop.
 * </ol>
 *
 * <p>A failed or unanswered step is logged and the next one runs, so the drain always ends.
 * Every method runs in the agent's synchronization context.
 */
final class DrainSequence {

  private static final Logger log = LoggerFactory.getLogger(DrainSequence.class);

  private enum Step {
    NOT_STARTED,
    DEREGISTERING,
    AWAITING_CONFIRMATION,
    AWAITING_IDLE,
    REMOVING,
    DONE
  }

  private final AgentOptions options;
  private final Registrar registrar;
  private final Supplier<CompletableFuture<Void>> whenIdle;
  private final SynchronizationContext syncContext;
  private final ScheduledExecutorService scheduler;
  private final Ticker ticker;
  private final Runnable stop;
  private final CompletableFuture<Void> done;
  private final String label;

  private Step step = Step.NOT_STARTED;
  private long startNanos;
  private long stepStartNanos;
  private DrainConfirmation earlyConfirmation;
  private BoundedUnaryCalls.Pending call;
  private ScheduledHandle timer;

  DrainSequence(
      AgentOptions options,
      Registrar registrar,
      Supplier<CompletableFuture<Void>> whenIdle,
      SynchronizationContext syncContext,
      ScheduledExecutorService scheduler,
      Ticker ticker,
      Runnable stop,
      CompletableFuture<Void> done) {
    this.options = requireNonNull(options, "options");
    this.registrar = requireNonNull(registrar, "registrar");
    this.whenIdle = requireNonNull(whenIdle, "whenIdle");
    this.syncContext = requireNonNull(syncContext, "syncContext");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.ticker = requireNonNull(ticker, "ticker");
    this.stop = requireNonNull(stop, "stop");
    this.done = requireNonNull(done, "done");
    this.label = options.label();
  }

  /** Runs the first step. */
  void start() {
    if (step != Step.NOT_STARTED) {
      return;
    }
    startNanos = ticker.read();
    stepStartNanos = startNanos;
    registrar.beginDrain(this::onConfirmed);
    if (!registrar.canDeregister()) {
      log.info("drain {}: no lease of ours to deregister; waiting for in-flight calls", label);
      awaitIdle();
      return;
    }
    Duration grace = options.drainConfirmTimeout().plus(options.inFlightDrainTimeout());
    step = Step.DEREGISTERING;
    timer = syncContext.schedule(this::onConfirmTimeout,
        options.drainConfirmTimeout().toNanos(), TimeUnit.NANOSECONDS, scheduler);
    log.info("drain {}: deregistering with grace {} ms", label, grace.toMillis());
    call = registrar.deregister(grace, new BoundedUnaryCalls.Outcome<>() {
      @Override
      public void onResponse(DeregisterResponse response) {
        onDraining(response);
      }

      @Override
      public void onFailure(Status status) {
        onDeregisterFailed(status);
      }
    });
  }

  /** Cancels whatever step is running (the agent is closing); the future is left to the agent. */
  void cancel() {
    step = Step.DONE;
    cancelTimer();
    if (call != null) {
      call.cancel();
      call = null;
    }
  }

  private void onDraining(DeregisterResponse response) {
    call = null;
    if (step != Step.DEREGISTERING) {
      return;
    }
    log.info("drain {}: marked DRAINING at revision {} in {} ms", label, response.getRevision(),
        millisSince(stepStartNanos));
    step = Step.AWAITING_CONFIRMATION;
    if (earlyConfirmation != null) {
      onConfirmed(earlyConfirmation);
    }
  }

  private void onDeregisterFailed(Status status) {
    call = null;
    if (step != Step.DEREGISTERING) {
      return;
    }
    log.warn("drain {}: Deregister failed after {} ms: {}; callers may not know it is going,"
        + " waiting for in-flight calls", label, millisSince(stepStartNanos),
        Statuses.describe(status));
    cancelTimer();
    awaitIdle();
  }

  private void onConfirmed(DrainConfirmation confirmation) {
    if (step == Step.DEREGISTERING) {
      earlyConfirmation = confirmation;
      return;
    }
    if (step != Step.AWAITING_CONFIRMATION) {
      return;
    }
    cancelTimer();
    if (confirmation.getTimedOut()) {
      log.warn("drain {}: control plane stopped waiting after {} ms: confirmed by {} sidecars"
              + " at revision {}, not by {}", label, millisSince(startNanos),
          confirmation.getConfirmedSidecars(), confirmation.getRevision(),
          confirmation.getPendingNodeIdsList());
    } else {
      log.info("drain {}: confirmed by {} sidecars at revision {} in {} ms", label,
          confirmation.getConfirmedSidecars(), confirmation.getRevision(),
          millisSince(startNanos));
    }
    awaitIdle();
  }

  private void onConfirmTimeout() {
    timer = null;
    if (step != Step.DEREGISTERING && step != Step.AWAITING_CONFIRMATION) {
      return;
    }
    log.warn("drain {}: no DRAIN_CONFIRMED within {} ms; waiting for in-flight calls", label,
        options.drainConfirmTimeout().toMillis());
    if (call != null) {
      call.cancel();
      call = null;
    }
    awaitIdle();
  }

  private void awaitIdle() {
    step = Step.AWAITING_IDLE;
    stepStartNanos = ticker.read();
    timer = syncContext.schedule(this::onIdleTimeout,
        options.inFlightDrainTimeout().toNanos(), TimeUnit.NANOSECONDS, scheduler);
    CompletableFuture<Void> idle;
    try {
      idle = requireNonNull(whenIdle.get(), "whenIdle.get()");
    } catch (RuntimeException e) {
      idle = CompletableFuture.failedFuture(e);
    }
    // The future completes on the thread that ends the last inbound call, inside that call's
    // gRPC context; the final Deregister must not inherit it (it is cancelled as the call ends).
    idle.whenComplete((ignored, failure) ->
        Context.ROOT.run(() -> syncContext.execute(() -> onIdle(failure))));
  }

  private void onIdle(Throwable failure) {
    if (step != Step.AWAITING_IDLE) {
      return;
    }
    cancelTimer();
    if (failure != null) {
      log.warn("drain {}: waiting for in-flight calls failed after {} ms: {}", label,
          millisSince(stepStartNanos), failure.toString());
    } else {
      log.info("drain {}: in-flight calls finished in {} ms", label, millisSince(stepStartNanos));
    }
    remove();
  }

  private void onIdleTimeout() {
    timer = null;
    if (step != Step.AWAITING_IDLE) {
      return;
    }
    log.warn("drain {}: in-flight calls still running after {} ms; deregistering anyway", label,
        options.inFlightDrainTimeout().toMillis());
    remove();
  }

  private void remove() {
    if (!registrar.canDeregister()) {
      finish();
      return;
    }
    step = Step.REMOVING;
    stepStartNanos = ticker.read();
    call = registrar.deregister(Duration.ZERO, new BoundedUnaryCalls.Outcome<>() {
      @Override
      public void onResponse(DeregisterResponse response) {
        call = null;
        log.info("drain {}: deregistered at revision {} in {} ms", label, response.getRevision(),
            millisSince(stepStartNanos));
        finish();
      }

      @Override
      public void onFailure(Status status) {
        call = null;
        log.warn("drain {}: final Deregister failed after {} ms: {}; the lease will expire",
            label, millisSince(stepStartNanos), Statuses.describe(status));
        finish();
      }
    });
  }

  private void finish() {
    step = Step.DONE;
    stop.run();
    log.info("drain {}: done in {} ms", label, millisSince(startNanos));
    done.complete(null);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  private long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(ticker.read() - nanos);
  }
}
