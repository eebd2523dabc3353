package io.weft.sidecar.admin;

import static java.util.Objects.requireNonNull;

import io.weft.sidecar.agent.AgentState;
import io.weft.sidecar.discovery.DiscoveryClientDump;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the sidecar is ready to serve, for {@code /ready}: once the local instance is registered
 * with a lease (when there is a local app) and the discovery client is subscribed, it is ready,
 * and it stays ready when the control plane goes away afterwards (static stability: the sidecar
 * keeps serving with what it holds). It stops being ready when a drain starts. Thread-safe.
 */
public final class Readiness {

  private static final Logger logger = LoggerFactory.getLogger(Readiness.class);

  private final String label;
  private final Supplier<Optional<AgentState>> agent;
  private final Supplier<DiscoveryClientDump> discovery;
  private volatile boolean ready;
  private volatile boolean draining;
  private volatile ScheduledFuture<?> watcher;

  /**
   * @param label how logs name the sidecar
   * @param agent the registration agent's state, empty for a pure client
   * @param discovery the discovery client's state
   */
  public Readiness(
      String label, Supplier<Optional<AgentState>> agent, Supplier<DiscoveryClientDump> discovery) {
    this.label = requireNonNull(label, "label");
    this.agent = requireNonNull(agent, "agent");
    this.discovery = requireNonNull(discovery, "discovery");
  }

  /**
   * Checks every {@code period} on {@code scheduler} until ready, so that readiness is not missed
   * when its conditions hold only between two probes. Call once.
   */
  public void watch(ScheduledExecutorService scheduler, Duration period) {
    long nanos = period.toNanos();
    watcher = scheduler.scheduleWithFixedDelay(this::check, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** Not ready any more, for good: a drain has started. */
  public void drainStarted() {
    draining = true;
  }

  /** Whether the sidecar has become ready and no drain has started. */
  public boolean isReady() {
    return ready && !draining;
  }

  /** The readiness now, latching it when its conditions hold for the first time. */
  public synchronized View check() {
    DiscoveryClientDump dump = discovery.get();
    Optional<AgentState> state = agent.get();
    String phase = state.map(s -> s.phase().name()).orElse(null);
    Boolean registered = state.map(AgentState::registered).orElse(null);
    boolean connected = dump.connected();
    if (draining) {
      return new View(false, "draining", phase, registered, dump.subscribed(), connected, true);
    }
    if (!ready) {
      String reason = notReadyReason(state, dump);
      if (reason != null) {
        return new View(false, reason, phase, registered, dump.subscribed(), connected, false);
      }
      ready = true;
      logger.info("sidecar {} is ready", label);
      ScheduledFuture<?> periodic = watcher;
      if (periodic != null) {
        periodic.cancel(false);
      }
    }
    return new View(true, null, phase, registered, dump.subscribed(), connected, false);
  }

  private static String notReadyReason(Optional<AgentState> state, DiscoveryClientDump dump) {
    if (state.isPresent() && !state.get().registered()) {
      return "not registered yet (agent " + state.get().phase() + ")";
    }
    if (!dump.subscribed()) {
      return "no response from control plane " + dump.controlPlaneTarget() + " yet";
    }
    return null;
  }

  /**
   * The body of {@code /ready}.
   *
   * @param ready whether the sidecar is ready
   * @param reason why not; null when ready
   * @param agentPhase the registration agent's phase; null for a pure client
   * @param registered whether the agent holds a lease; null for a pure client
   * @param subscribed whether the discovery client counts as subscribed now
   * @param discoveryConnected whether a discovery stream is open and answered now (a sidecar that
   *     watches nothing keeps none open)
   * @param draining whether a drain has started
   */
  public record View(
      boolean ready,
      String reason,
      String agentPhase,
      Boolean registered,
      boolean subscribed,
      boolean discoveryConnected,
      boolean draining) {}
}
