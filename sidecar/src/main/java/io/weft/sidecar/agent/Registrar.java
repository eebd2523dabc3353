package io.weft.sidecar.agent;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.SynchronizationContext.ScheduledHandle;
import io.grpc.SynchronizationContext;
import io.weft.common.ExponentialBackoff;
import io.weft.common.ProtoDurations;
import io.weft.mesh.v1.DeregisterRequest;
import io.weft.mesh.v1.DeregisterResponse;
import io.weft.mesh.v1.DrainConfirmation;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.KeepAliveRequest;
import io.weft.mesh.v1.KeepAliveResponse;
import io.weft.mesh.v1.RegisterRequest;
import io.weft.mesh.v1.RegisterResponse;
import io.weft.mesh.v1.RegistrationServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the local instance's lease. Registers it (with the app's current health and gRPC service
 * names) once the first health answer is in, then renews it every TTL/3 over one KeepAlive stream,
 * on which it also reports health changes at once. Registers again on LEASE_NOT_FOUND, and after
 * backoff when the stream or a Register fails; stops for good on SUPERSEDED. During a drain it
 * keeps renewing (reopening the stream if needed) but never registers again.
 *
 * <p>Every method runs in the agent's synchronization context.
 */
final class Registrar implements KeepAliveStream.Listener {

  private static final Logger log = LoggerFactory.getLogger(Registrar.class);
  private static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);

  private final AgentOptions options;
  private final Channel controlPlane;
  private final ServiceNameDiscovery discovery;
  private final SynchronizationContext syncContext;
  private final ScheduledExecutorService scheduler;
  private final Ticker ticker;
  private final ExponentialBackoff backoff;
  private final BoundedUnaryCalls calls;
  private final String label;

  private boolean started;
  private HealthStatus health;
  private HealthStatus reportedHealth = HealthStatus.HEALTH_STATUS_UNSPECIFIED;
  private String leaseId;
  private boolean leaseHeld;
  private long leaseTtlNanos = DEFAULT_LEASE_TTL.toNanos();
  private long leaseExpiresAtNanos;
  private boolean renewedSinceRegister;
  private List<String> grpcServices = List.of();
  private boolean servicesIncomplete;
  private BoundedUnaryCalls.Pending registering;
  private ScheduledHandle retryTimer;
  private ScheduledHandle renewTimer;
  private KeepAliveStream stream;
  private boolean superseded;
  private boolean draining;
  private Consumer<DrainConfirmation> drainListener;
  private boolean stopped;
  private volatile Snapshot snapshot;

  Registrar(
      AgentOptions options,
      Channel controlPlane,
      ServiceNameDiscovery discovery,
      SynchronizationContext syncContext,
      ScheduledExecutorService scheduler,
      Ticker ticker,
      Random random) {
    this.options = requireNonNull(options, "options");
    this.controlPlane = requireNonNull(controlPlane, "controlPlane");
    this.discovery = requireNonNull(discovery, "discovery");
    this.syncContext = requireNonNull(syncContext, "syncContext");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.ticker = requireNonNull(ticker, "ticker");
    this.backoff = new ExponentialBackoff(options.backoff(), requireNonNull(random, "random"));
    this.calls = new BoundedUnaryCalls(syncContext, scheduler);
    this.label = options.label();
    publish();
  }

  /** Registers as soon as the app's health is known. */
  void start() {
    started = true;
    registerFirstTime();
  }

  /** The app's health changed (or is known for the first time). */
  void onHealth(HealthStatus newHealth) {
    health = requireNonNull(newHealth, "newHealth");
    if (stopped || superseded || !started) {
      return;
    }
    if (leaseId == null) {
      registerFirstTime();
    } else if (!draining && leaseHeld && registering == null) {
      if (servicesIncomplete && newHealth == HealthStatus.SERVING) {
        log.info("{} answers now; registering again to learn its gRPC services", label);
        register();
      } else {
        sendKeepAlive();
      }
    }
    publish();
  }

  /**
   * Enters drain mode: no registering again, renewals without health, and {@code onConfirmed}
   * called once when DRAIN_CONFIRMED arrives for the lease.
   */
  void beginDrain(Consumer<DrainConfirmation> onConfirmed) {
    draining = true;
    drainListener = requireNonNull(onConfirmed, "onConfirmed");
    if (registering != null) {
      registering.cancel();
      registering = null;
      if (retryTimer == null) {
        renewDuringDrain();
      }
    }
    publish();
  }

  /** Whether there is a lease of ours to deregister. */
  boolean canDeregister() {
    return leaseId != null && !superseded && !stopped;
  }

  /** Calls Deregister for the current lease, bounded by the RPC timeout. */
  BoundedUnaryCalls.Pending deregister(
      Duration grace, BoundedUnaryCalls.Outcome<DeregisterResponse> outcome) {
    DeregisterRequest request = DeregisterRequest.newBuilder()
        .setLeaseId(leaseId)
        .setGrace(ProtoDurations.toProto(grace))
        .build();
    return calls.start(controlPlane, RegistrationServiceGrpc.getDeregisterMethod(), request,
        options.rpcTimeout(), outcome);
  }

  /** Stops renewing and cancels every call and timer. */
  void stop() {
    stopped = true;
    leaseHeld = false;
    drainListener = null;
    if (registering != null) {
      registering.cancel();
      registering = null;
    }
    cancelRetry();
    cancelRenew();
    if (stream != null) {
      stream.cancel("agent stopped");
      stream = null;
    }
    publish();
  }

  /** What the registrar holds now. */
  AgentState state() {
    Snapshot s = snapshot;
    boolean registered = s.leaseHeld() && ticker.read() - s.leaseExpiresAtNanos() < 0;
    return new AgentState(s.phase(), registered, s.leaseId(), s.reportedHealth(),
        s.grpcServices(), s.draining());
  }

  private void registerFirstTime() {
    if (started && health != null && leaseId == null && registering == null
        && retryTimer == null && !draining && !stopped) {
      register();
    }
  }

  private void register() {
    cancelRetry();
    registering = discovery.discover(services -> {
      grpcServices = services.names();
      servicesIncomplete = !services.appReachable();
      RegisterRequest request = registerRequest();
      long startedAt = ticker.read();
      registering = calls.start(controlPlane, RegistrationServiceGrpc.getRegisterMethod(),
          request, options.rpcTimeout(), new BoundedUnaryCalls.Outcome<>() {
            @Override
            public void onResponse(RegisterResponse response) {
              onRegistered(request, response, startedAt);
            }

            @Override
            public void onFailure(Status status) {
              onRegisterFailed(status);
            }
          });
      publish();
    });
    publish();
  }

  private RegisterRequest registerRequest() {
    Instance instance = Instance.newBuilder()
        .setService(options.service())
        .setInstanceId(options.instanceId())
        .setAddress(options.advertisedAddress())
        .setPort(options.advertisedPort())
        .setZone(options.zone())
        .setWeight(options.weight())
        .putAllMetadata(options.metadata())
        .addAllGrpcServices(grpcServices)
        .setHealth(health)
        .build();
    RegisterRequest.Builder request =
        RegisterRequest.newBuilder().setInstance(instance).setNodeId(options.nodeId());
    options.leaseTtl().ifPresent(ttl -> request.setLeaseTtl(ProtoDurations.toProto(ttl)));
    return request.build();
  }

  private void onRegistered(RegisterRequest request, RegisterResponse response, long startedAt) {
    registering = null;
    long now = ticker.read();
    leaseId = response.getLeaseId();
    leaseHeld = true;
    renewedSinceRegister = false;
    reportedHealth = request.getInstance().getHealth();
    long granted = response.hasLeaseTtl() ? ProtoDurations.toNanos(response.getLeaseTtl()) : 0;
    leaseTtlNanos = granted > 0
        ? granted : options.leaseTtl().orElse(DEFAULT_LEASE_TTL).toNanos();
    leaseExpiresAtNanos = now + leaseTtlNanos;
    log.info("registered {} at {}:{} zone={} lease={} ttl={} ms health={} grpc_services={}"
            + " revision={} in {} ms", label, options.advertisedAddress(),
        options.advertisedPort(), options.zone(), leaseId,
        TimeUnit.NANOSECONDS.toMillis(leaseTtlNanos), reportedHealth, grpcServices,
        response.getRevision(), TimeUnit.NANOSECONDS.toMillis(now - startedAt));
    if (stream == null) {
      stream = new KeepAliveStream(controlPlane, syncContext, this);
    }
    scheduleRenew();
    sendKeepAlive();
    publish();
  }

  private void onRegisterFailed(Status status) {
    registering = null;
    long delay = scheduleRetry();
    String line = "registering {} failed: {}; retrying in {} ms";
    if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
      log.error(line, label, Statuses.describe(status), TimeUnit.NANOSECONDS.toMillis(delay));
    } else {
      log.warn(line, label, Statuses.describe(status), TimeUnit.NANOSECONDS.toMillis(delay));
    }
    publish();
  }

  private void retry() {
    retryTimer = null;
    if (stopped || superseded) {
      return;
    }
    if (draining) {
      renewDuringDrain();
    } else {
      register();
    }
    publish();
  }

  private void renewDuringDrain() {
    if (leaseId == null || !leaseHeld) {
      return;
    }
    if (stream == null) {
      stream = new KeepAliveStream(controlPlane, syncContext, this);
      log.info("reopened the KeepAlive stream of {} (lease {}) during drain", label, leaseId);
    }
    scheduleRenew();
    sendKeepAlive();
  }

  @Override
  public void onResponse(KeepAliveStream from, KeepAliveResponse response) {
    if (from != stream) {
      return;
    }
    if (!response.getLeaseId().equals(leaseId)) {
      log.debug("ignoring {} for {}: not the current lease {}", response.getEvent(),
          response.getLeaseId(), leaseId);
      return;
    }
    switch (response.getEvent()) {
      case RENEWED -> {
        backoff.reset();
        renewedSinceRegister = true;
        long left = response.hasLeaseTtl() ? ProtoDurations.toNanos(response.getLeaseTtl()) : 0;
        leaseExpiresAtNanos = ticker.read() + (left > 0 ? left : leaseTtlNanos);
      }
      case DRAIN_CONFIRMED -> {
        backoff.reset();
        leaseExpiresAtNanos = ticker.read() + leaseTtlNanos;
        Consumer<DrainConfirmation> listener = drainListener;
        drainListener = null;
        if (listener != null) {
          listener.accept(response.getDrain());
        } else if (!draining) {
          log.warn("unexpected DRAIN_CONFIRMED for {} (lease {}){}", label, leaseId,
              Statuses.detail(response.getMessage()));
        }
      }
      case LEASE_NOT_FOUND -> onLeaseNotFound(response);
      case SUPERSEDED -> onSuperseded(response);
      default -> log.warn("unknown KeepAlive event {} for {} (lease {})", response.getEventValue(),
          label, leaseId);
    }
    publish();
  }

  private void onLeaseNotFound(KeepAliveResponse response) {
    if (!leaseHeld) {
      return;
    }
    leaseHeld = false;
    cancelRenew();
    if (draining) {
      log.warn("lease {} of {} not found during drain{}; nothing left to renew", leaseId,
          label, Statuses.detail(response.getMessage()));
    } else if (registering != null || retryTimer != null) {
      return;
    } else if (renewedSinceRegister) {
      log.warn("lease {} of {} not found{}; registering again", leaseId, label,
          Statuses.detail(response.getMessage()));
      register();
    } else {
      long delay = scheduleRetry();
      log.warn("lease {} of {} not found right after registering{}; registering again in {} ms",
          leaseId, label, Statuses.detail(response.getMessage()),
          TimeUnit.NANOSECONDS.toMillis(delay));
    }
  }

  private void onSuperseded(KeepAliveResponse response) {
    superseded = true;
    leaseHeld = false;
    if (registering != null) {
      registering.cancel();
      registering = null;
    }
    cancelRetry();
    cancelRenew();
    stream.cancel("lease superseded");
    stream = null;
    log.error("lease {} of {} superseded: another node registered this instance{};"
        + " not renewing and not registering again", leaseId, label,
        Statuses.detail(response.getMessage()));
  }

  @Override
  public void onClosed(KeepAliveStream from, Status status) {
    if (from != stream) {
      return;
    }
    stream = null;
    cancelRenew();
    if (stopped || superseded || (draining && !leaseHeld)) {
      return;
    }
    String line = "KeepAlive stream of {} closed: {}; {}";
    String next;
    if (registering != null || retryTimer != null) {
      next = "already registering again";
    } else {
      long delay = scheduleRetry();
      next = (draining ? "reopening it in " : "registering again in ")
          + TimeUnit.NANOSECONDS.toMillis(delay) + " ms";
    }
    if (status.getCode() == Status.Code.CANCELLED) {
      log.info(line, label, Statuses.describe(status), next);
    } else {
      log.warn(line, label, Statuses.describe(status), next);
    }
    publish();
  }

  private void sendKeepAlive() {
    if (stream == null || leaseId == null) {
      return;
    }
    HealthStatus report = HealthStatus.HEALTH_STATUS_UNSPECIFIED;
    if (!draining && health != null && health != reportedHealth) {
      report = health;
    }
    stream.send(KeepAliveRequest.newBuilder().setLeaseId(leaseId).setHealth(report).build());
    if (report != HealthStatus.HEALTH_STATUS_UNSPECIFIED) {
      reportedHealth = report;
      log.info("reported health {} of {} to the control plane", report, label);
    }
  }

  private void scheduleRenew() {
    cancelRenew();
    long every = Math.max(TimeUnit.MILLISECONDS.toNanos(1), leaseTtlNanos / 3);
    renewTimer = syncContext.scheduleWithFixedDelay(
        this::sendKeepAlive, every, every, TimeUnit.NANOSECONDS, scheduler);
  }

  private void cancelRenew() {
    if (renewTimer != null) {
      renewTimer.cancel();
      renewTimer = null;
    }
  }

  private long scheduleRetry() {
    cancelRetry();
    long delay = backoff.nextDelayNanos();
    retryTimer = syncContext.schedule(this::retry, delay, TimeUnit.NANOSECONDS, scheduler);
    return delay;
  }

  private void cancelRetry() {
    if (retryTimer != null) {
      retryTimer.cancel();
      retryTimer = null;
    }
  }

  private void publish() {
    snapshot = new Snapshot(phase(), leaseHeld && !superseded && !stopped,
        leaseId == null ? "" : leaseId, leaseExpiresAtNanos, reportedHealth, grpcServices,
        draining);
  }

  private AgentState.Phase phase() {
    if (stopped) {
      return AgentState.Phase.STOPPED;
    } else if (superseded) {
      return AgentState.Phase.SUPERSEDED;
    } else if (registering != null) {
      return AgentState.Phase.REGISTERING;
    } else if (retryTimer != null) {
      return AgentState.Phase.RECONNECTING;
    } else if (leaseHeld && stream != null) {
      return AgentState.Phase.REGISTERED;
    } else if (leaseId != null && draining) {
      return AgentState.Phase.LEASE_LOST;
    }
    return AgentState.Phase.STARTING;
  }

  private record Snapshot(
      AgentState.Phase phase,
      boolean leaseHeld,
      String leaseId,
      long leaseExpiresAtNanos,
      HealthStatus reportedHealth,
      List<String> grpcServices,
      boolean draining) {}
}
