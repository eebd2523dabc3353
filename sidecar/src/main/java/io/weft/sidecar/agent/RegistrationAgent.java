package io.weft.sidecar.agent;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.SynchronizationContext;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's registration agent: registers the local app's instance with the control plane
 * and keeps its lease (see {@link Registrar}), follows the app's {@code grpc.health.v1} health
 * ({@link AppHealthMonitor}), learns its gRPC services from server reflection ({@link
 * ServiceNameDiscovery}), and drains it on the way out ({@link #drain()}).
 *
 * <p>All mutable state lives in one {@link SynchronizationContext}; nothing blocks; timers run on
 * the injected scheduler and are cancelled by {@link #close()}. The channels belong to the
 * caller, who shuts them down after closing the agent.
 */
public final class RegistrationAgent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RegistrationAgent.class);

  private final AgentOptions options;
  private final Supplier<CompletableFuture<Void>> whenIdle;
  private final ScheduledExecutorService scheduler;
  private final Ticker ticker;
  private final SynchronizationContext syncContext;
  private final AppHealthMonitor health;
  private final Registrar registrar;
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  private DrainSequence drain;
  private boolean closed;

  /**
   * Creates an agent; nothing happens until {@link #start()}.
   *
   * @param options what to register and the timings
   * @param controlPlane channel to the control plane's {@code RegistrationService}
   * @param app channel to the local app (health, reflection)
   * @param whenIdle a future that completes when the sidecar has no in-flight inbound call; asked
   *     once, during {@link #drain()} (without an inbound proxy: {@code () ->
   *     CompletableFuture.completedFuture(null)})
   * @param scheduler runs every timer (renewals, backoff, health checks, bounds)
   * @param ticker measures time for lease validity and log timings
   * @param random jitter of the reconnect backoff
   */
  public RegistrationAgent(
      AgentOptions options,
      Channel controlPlane,
      ManagedChannel app,
      Supplier<CompletableFuture<Void>> whenIdle,
      ScheduledExecutorService scheduler,
      Ticker ticker,
      Random random) {
    this.options = requireNonNull(options, "options");
    requireNonNull(controlPlane, "controlPlane");
    requireNonNull(app, "app");
    this.whenIdle = requireNonNull(whenIdle, "whenIdle");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.ticker = requireNonNull(ticker, "ticker");
    requireNonNull(random, "random");
    String label = options.label();
    this.syncContext = new SynchronizationContext((thread, e) ->
        log.error("registration agent of {}: uncaught exception", label, e));
    ServiceNameDiscovery discovery = new ServiceNameDiscovery(app, options.grpcServices(),
        options.reflectionTimeout(), label, syncContext, scheduler);
    this.registrar = new Registrar(options, controlPlane, discovery, syncContext, scheduler,
        ticker, random);
    this.health = new AppHealthMonitor(app, options.healthCheckInterval(),
        options.healthCheckTimeout(), label, syncContext, scheduler, registrar::onHealth);
  }

  /** Starts watching the app's health; registers once its first answer is in. */
  public void start() {
    syncContext.execute(() -> {
      if (closed || drain != null) {
        return;
      }
      log.info("registration agent of {} starting: {}", options.label(), options);
      health.start();
      registrar.start();
    });
  }

  /** What the agent holds now; safe from any thread. */
  public AgentState state() {
    return registrar.state();
  }

  /**
   * Drains the instance (the SIGTERM path): DRAINING, confirmation, in-flight calls, removal,
   * each step bounded by the options; then stops. Calling it again returns the same future.
   *
   * @return completes (in the agent's synchronization context: do not block in dependent
   *     stages) when the drain is done; fails with {@link CancellationException} if the agent is
   *     closed first
   */
  public CompletableFuture<Void> drain() {
    syncContext.execute(() -> {
      if (closed || drain != null) {
        return;
      }
      drain = new DrainSequence(options, registrar, whenIdle, syncContext, scheduler, ticker,
          this::stopAll, drained);
      drain.start();
    });
    return drained;
  }

  /**
   * Stops everything at once, without deregistering (use {@link #drain()} for a graceful exit):
   * cancels every call, stream and timer. Idempotent.
   */
  @Override
  public void close() {
    syncContext.execute(() -> {
      if (closed) {
        return;
      }
      closed = true;
      if (drain != null) {
        drain.cancel();
      }
      stopAll();
      drained.completeExceptionally(new CancellationException("registration agent closed"));
    });
  }

  private void stopAll() {
    health.stop();
    registrar.stop();
  }
}
