package io.weft.sidecar.agent;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.SynchronizationContext.ScheduledHandle;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.weft.mesh.v1.HealthStatus;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the local app's overall health ({@code grpc.health.v1}, service {@code ""}) and tells
 * its listener every change, in the synchronization context.
 *
 * <p>A {@code Watch} stream gives changes as they happen; a periodic {@code Check} bounded by a
 * timeout catches an app that stops answering or whose Watch broke (a broken Watch triggers a
 * Check at once and is reopened on the next tick; an app whose Watch is UNIMPLEMENTED is followed
 * by the Check alone). An app without the health service
 * (UNIMPLEMENTED) that answers is SERVING; an app that cannot be reached, or does not answer the
 * check in time, is NOT_SERVING.
 *
 * <p>While the app cannot be reached, each check first resets the app channel's connect backoff, so
 * an app that comes back is seen at the next check rather than after grpc-java's reconnect
 * backoff, which grows towards two minutes.
 */
final class AppHealthMonitor {

  private static final Logger log = LoggerFactory.getLogger(AppHealthMonitor.class);
  private static final HealthCheckRequest OVERALL = HealthCheckRequest.getDefaultInstance();

  private final ManagedChannel app;
  private final Duration interval;
  private final Duration timeout;
  private final String label;
  private final SynchronizationContext syncContext;
  private final ScheduledExecutorService scheduler;
  private final BoundedUnaryCalls calls;
  private final Consumer<HealthStatus> listener;

  private ClientCall<HealthCheckRequest, HealthCheckResponse> watch;
  private boolean watchUnimplemented;
  private long watchUpdates;
  private BoundedUnaryCalls.Pending check;
  private ScheduledHandle tick;
  private HealthStatus current;
  private boolean running;
  private boolean unreachable;

  AppHealthMonitor(
      ManagedChannel app,
      Duration interval,
      Duration timeout,
      String label,
      SynchronizationContext syncContext,
      ScheduledExecutorService scheduler,
      Consumer<HealthStatus> listener) {
    this.app = requireNonNull(app, "app");
    this.interval = requireNonNull(interval, "interval");
    this.timeout = requireNonNull(timeout, "timeout");
    this.label = requireNonNull(label, "label");
    this.syncContext = requireNonNull(syncContext, "syncContext");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.calls = new BoundedUnaryCalls(syncContext, scheduler);
    this.listener = requireNonNull(listener, "listener");
  }

  /** Opens the Watch, checks at once, then every interval. Call in the synchronization context. */
  void start() {
    syncContext.throwIfNotInThisSynchronizationContext();
    if (running) {
      return;
    }
    running = true;
    startWatch();
    startCheck();
    tick = syncContext.scheduleWithFixedDelay(this::onTick, interval.toNanos(),
        interval.toNanos(), TimeUnit.NANOSECONDS, scheduler);
  }

  /** Cancels every call and timer. Call in the synchronization context. */
  void stop() {
    syncContext.throwIfNotInThisSynchronizationContext();
    running = false;
    if (tick != null) {
      tick.cancel();
      tick = null;
    }
    if (check != null) {
      check.cancel();
      check = null;
    }
    if (watch != null) {
      watch.cancel("agent stopped", null);
      watch = null;
    }
  }

  private void onTick() {
    if (watch == null && !watchUnimplemented) {
      startWatch();
    }
    if (check == null) {
      startCheck();
    }
  }

  private void startWatch() {
    ClientCall<HealthCheckRequest, HealthCheckResponse> call =
        app.newCall(HealthGrpc.getWatchMethod(), CallOptions.DEFAULT);
    watch = call;
    ClientCalls.asyncServerStreamingCall(call, OVERALL, new StreamObserver<>() {
      @Override
      public void onNext(HealthCheckResponse response) {
        ServingStatus status = response.getStatus();
        syncContext.execute(() -> {
          if (watch == call) {
            watchUpdates++;
            update(toHealth(status), "health watch: " + status);
          }
        });
      }

      @Override
      public void onError(Throwable t) {
        Status status = Status.fromThrowable(t);
        syncContext.execute(() -> onWatchClosed(call, status));
      }

      @Override
      public void onCompleted() {
        syncContext.execute(() -> onWatchClosed(call, Status.UNAVAILABLE.withDescription(
            "the app ended the health watch")));
      }
    });
  }

  private void onWatchClosed(ClientCall<?, ?> call, Status status) {
    if (watch != call) {
      return;
    }
    watch = null;
    if (status.getCode() == Status.Code.UNIMPLEMENTED) {
      watchUnimplemented = true;
      return;
    }
    log.debug("health watch of {} ended: {}; checking now", label, Statuses.describe(status));
    if (check == null) {
      startCheck();
    }
  }

  private void startCheck() {
    if (unreachable) {
      app.resetConnectBackoff();
    }
    long watchUpdatesAtStart = watchUpdates;
    check = calls.start(app, HealthGrpc.getCheckMethod(), OVERALL, timeout,
        new BoundedUnaryCalls.Outcome<>() {
          @Override
          public void onResponse(HealthCheckResponse response) {
            check = null;
            unreachable = false;
            if (watch != null && watchUpdates != watchUpdatesAtStart) {
              return;
            }
            update(toHealth(response.getStatus()), "health check: " + response.getStatus());
          }

          @Override
          public void onFailure(Status status) {
            check = null;
            unreachable = status.getCode() == Status.Code.UNAVAILABLE;
            if (status.getCode() == Status.Code.UNIMPLEMENTED) {
              update(HealthStatus.SERVING, "the app answers and has no health service");
            } else {
              update(HealthStatus.NOT_SERVING,
                  "health check failed: " + Statuses.describe(status));
            }
          }
        });
  }

  private void update(HealthStatus health, String reason) {
    if (!running || health == current) {
      return;
    }
    HealthStatus previous = current;
    current = health;
    if (previous == null) {
      log.info("health of {}: {} ({})", label, health, reason);
    } else {
      log.info("health of {}: {} -> {} ({})", label, previous, health, reason);
    }
    listener.accept(health);
  }

  private static HealthStatus toHealth(ServingStatus status) {
    return status == ServingStatus.SERVING ? HealthStatus.SERVING : HealthStatus.NOT_SERVING;
  }
}
