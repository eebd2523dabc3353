package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;
import static java.util.concurrent.TimeUnit.NANOSECONDS;

import com.google.common.base.Ticker;
import io.grpc.Status;
import io.grpc.StatusException;
import io.micrometer.core.instrument.MeterRegistry;
import io.weft.common.MeshNames;
import io.weft.common.ProtoDurations;
import io.weft.controlplane.registry.Tombstones.Tombstone;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.RegisterRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The control plane's catalogue of instances and their leases. Knows nothing of gRPC streams.
 *
 * <p>Thread-safe: all state lives under one short lock. Every real change bumps the revision by
 * one and publishes a {@link RegistryChange}; a change that changes nothing publishes nothing.
 * Listeners (and log lines) are queued under the lock and run after it is released, one at a
 * time and in revision order, on whichever calling thread drains the queue ({@link
 * RegistryEvents}).
 *
 * <p>Leases expire through the injected scheduler and ticker, so a fake clock drives them
 * exactly: a lease not renewed for its TTL expires at exactly that moment, unless {@link
 * SelfPreservation} suspended expiry because too many leases lapse at once.
 */
public final class Registry implements AutoCloseable {

  private final RegistryOptions options;
  private final Ticker ticker;
  private final ScheduledExecutorService scheduler;
  private final RegistryMetrics metrics;
  private final RegistryEvents events = new RegistryEvents();

  private final Object lock = new Object();
  private final SnapshotBuilder state = new SnapshotBuilder();
  private final LeaseTable leases = new LeaseTable();
  private final SelfPreservation preservation;
  private boolean closed;
  private volatile RegistrySnapshot current = RegistrySnapshot.EMPTY;

  /**
   * Creates an empty registry.
   *
   * @param scheduler runs lease expiry and drain removal; owned by the caller
   * @param meters receives the {@code weft_registry_*} and {@code weft_leases_*} meters
   */
  public Registry(
      RegistryOptions options,
      Ticker ticker,
      ScheduledExecutorService scheduler,
      MeterRegistry meters) {
    this.options = requireNonNull(options, "options");
    this.ticker = requireNonNull(ticker, "ticker");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.metrics = new RegistryMetrics(requireNonNull(meters, "meters"));
    this.preservation =
        new SelfPreservation(options.maxExpiryFraction(), options.defaultLeaseTtl().toNanos());
  }

  /** The options this registry runs with. */
  public RegistryOptions options() {
    return options;
  }

  /** The current state. Never blocks. */
  public RegistrySnapshot snapshot() {
    return current;
  }

  /**
   * Adds a listener that is called with every change after the returned snapshot, so that a
   * watcher that starts from it misses nothing and sees nothing twice.
   */
  public RegistrySnapshot addListener(RegistryListener listener) {
    synchronized (lock) {
      events.addListener(listener);
      return state.snapshot();
    }
  }

  /** Stops calling {@code listener} for changes published after this call. */
  public void removeListener(RegistryListener listener) {
    synchronized (lock) {
      events.removeListener(listener);
    }
  }

  /** Adds a listener for leases that end. */
  public void addLeaseListener(LeaseListener listener) {
    synchronized (lock) {
      events.addLeaseListener(listener);
    }
  }

  /**
   * Registers an instance, or replaces the one registered under the same service and instance id.
   * From the same node the lease is kept (and renewed, and a drain cancelled); from another node a
   * new lease replaces the old one, which ends as {@link LeaseListener.Reason#SUPERSEDED}.
   *
   * @throws StatusException INVALID_ARGUMENT naming every bad field; nothing is stored then
   */
  public Registration register(RegisterRequest request) throws StatusException {
    Status status = InstanceValidator.check(request);
    if (!status.isOk()) {
      throw status.asException();
    }
    Instance instance = withDefaults(request.getInstance());
    String nodeId = request.getNodeId();
    long ttlNanos =
        request.hasLeaseTtl()
            ? ProtoDurations.toJava(request.getLeaseTtl()).toNanos()
            : options.defaultLeaseTtl().toNanos();
    Registration registration;
    synchronized (lock) {
      long now = ticker.read();
      Lease lease = leases.ofInstance(instance.getService(), instance.getInstanceId());
      String verb;
      if (lease != null && lease.nodeId.equals(nodeId)) {
        if (lease.draining) {
          lease.draining = false;
          lease.cancelRemovalTimer();
        }
        unsuspend(lease);
        verb = state.put(instance) ? "replaced" : null;
      } else {
        if (lease != null) {
          unsuspend(lease);
          leases.bury(lease, Tombstones.Reason.SUPERSEDED, state.snapshot().revision(), now);
          events.superseded(lease, nodeId);
        }
        String leaseId = UUID.randomUUID().toString();
        lease = new Lease(leaseId, instance.getService(), instance.getInstanceId());
        lease.nodeId = nodeId;
        leases.add(lease);
        state.put(instance);
        verb = "registered";
      }
      lease.ttlNanos = ttlNanos;
      lease.expiresAtNanos = now + ttlNanos;
      scheduleExpiryCheck(lease, lease.expiresAtNanos, now);
      commit();
      long revision = state.snapshot().revision();
      if (verb != null) {
        events.registered(verb, instance, nodeId, lease.id, ttlNanos, revision);
      }
      releaseIfRecovered(now);
      registration = new Registration(lease.id, Duration.ofNanos(ttlNanos), revision, instance);
    }
    events.deliver();
    return registration;
  }

  /**
   * Renews a lease for its full TTL and applies a health report ({@code
   * HEALTH_STATUS_UNSPECIFIED} leaves the health as it is). A draining instance stays DRAINING.
   *
   * @throws IllegalArgumentException if {@code health} is DRAINING or unrecognized
   */
  public Renewal renew(String leaseId, HealthStatus health) {
    requireNonNull(leaseId, "leaseId");
    requireNonNull(health, "health");
    if (health == HealthStatus.DRAINING || health == HealthStatus.UNRECOGNIZED) {
      throw new IllegalArgumentException(
          "health: " + health + " (expected: SERVING, NOT_SERVING or unspecified)");
    }
    Renewal renewal;
    synchronized (lock) {
      long now = ticker.read();
      Lease lease = leases.get(leaseId);
      if (lease == null) {
        renewal = ended(leaseId, now);
      } else if (lease.draining) {
        long left = Math.max(0, lease.removeAtNanos - now);
        renewal =
            new Renewal(
                Renewal.Outcome.DRAINING, Duration.ofNanos(left), lease.service, lease.instanceId);
      } else {
        lease.expiresAtNanos = now + lease.ttlNanos;
        unsuspend(lease);
        scheduleExpiryCheck(lease, lease.expiresAtNanos, now);
        Instance instance = state.get(lease.service, lease.instanceId);
        HealthStatus old = instance.getHealth();
        if (health != HealthStatus.HEALTH_STATUS_UNSPECIFIED && health != old) {
          state.put(instance.toBuilder().setHealth(health).build());
          commit();
          events.healthChanged(lease, old, health, state.snapshot().revision());
        }
        releaseIfRecovered(now);
        renewal =
            new Renewal(
                Renewal.Outcome.RENEWED,
                Duration.ofNanos(lease.ttlNanos),
                lease.service,
                lease.instanceId);
      }
    }
    events.deliver();
    return renewal;
  }

  /**
   * Deregisters the instance of a lease: marks it DRAINING (a change) and removes it when {@code
   * grace} has passed, or at once if {@code grace} is zero. A second call can only shorten the
   * grace. Deregistering a lease whose instance was already removed by deregistration answers
   * again, without the instance.
   *
   * @param grace how long the instance stays DRAINING; null means the default drain grace
   * @throws StatusException INVALID_ARGUMENT for an empty lease id or a grace outside 0s..300s;
   *     NOT_FOUND for a lease that expired, was superseded or was never granted
   */
  public Deregistration deregister(String leaseId, Duration grace) throws StatusException {
    requireNonNull(leaseId, "leaseId");
    Duration drainGrace = grace == null ? options.defaultDrainGrace() : grace;
    if (leaseId.isEmpty()) {
      throw Status.INVALID_ARGUMENT
          .withDescription("lease_id: \"\" (expected: a lease id from Register)")
          .asException();
    }
    if (drainGrace.isNegative() || drainGrace.compareTo(RegistryOptions.MAX_DRAIN_GRACE) > 0) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "grace: " + ProtoDurations.describe(drainGrace) + " (expected: 0s..300s)")
          .asException();
    }
    long graceNanos = drainGrace.toNanos();
    Deregistration result;
    synchronized (lock) {
      long now = ticker.read();
      Lease lease = leases.get(leaseId);
      if (lease == null) {
        result = deregistered(leaseId, now);
      } else if (graceNanos == 0) {
        long revision = removeDeregistered(lease, now);
        result = new Deregistration(lease.service, lease.instanceId, revision, Optional.empty());
      } else if (!lease.draining) {
        result = startDrain(lease, graceNanos, now);
      } else {
        if (now + graceNanos - lease.removeAtNanos < 0) {
          lease.removeAtNanos = now + graceNanos;
          scheduleRemoval(lease, now);
          events.graceShortened(lease, graceNanos);
        }
        Instance instance = state.get(lease.service, lease.instanceId);
        result =
            new Deregistration(
                lease.service, lease.instanceId, lease.drainRevision, Optional.of(instance));
      }
      releaseIfRecovered(now);
    }
    events.deliver();
    return result;
  }

  /** Every lease, sorted by service and instance id, for the admin views. */
  public List<LeaseView> leases() {
    synchronized (lock) {
      return leases.views(ticker.read());
    }
  }

  /** Whether self-preservation currently suspends lease expiry. */
  public boolean selfPreservationActive() {
    synchronized (lock) {
      return preservation.active();
    }
  }

  /** Cancels every lease timer. The registry must not be used afterwards. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      leases.all().forEach(Lease::cancelTimers);
    }
  }

  private Renewal ended(String leaseId, long now) {
    Tombstone tombstone = leases.tombstone(leaseId, now);
    if (tombstone == null) {
      return new Renewal(Renewal.Outcome.NOT_FOUND, Duration.ZERO, "", "");
    }
    Renewal.Outcome outcome =
        tombstone.reason() == Tombstones.Reason.SUPERSEDED
            ? Renewal.Outcome.SUPERSEDED
            : Renewal.Outcome.DEREGISTERED;
    return new Renewal(outcome, Duration.ZERO, tombstone.service(), tombstone.instanceId());
  }

  private Deregistration deregistered(String leaseId, long now) throws StatusException {
    Tombstone tombstone = leases.tombstone(leaseId, now);
    if (tombstone != null && tombstone.reason() == Tombstones.Reason.DEREGISTERED) {
      return new Deregistration(
          tombstone.service(), tombstone.instanceId(), tombstone.revision(), Optional.empty());
    }
    String why =
        tombstone != null
            ? "superseded: another node registered "
                + tombstone.service()
                + "/"
                + tombstone.instanceId()
            : "expected: a granted lease; it expired or was never granted";
    throw Status.NOT_FOUND
        .withDescription("lease_id: " + MeshNames.quote(leaseId) + " (" + why + ")")
        .asException();
  }

  private Deregistration startDrain(Lease lease, long graceNanos, long now) {
    unsuspend(lease);
    lease.draining = true;
    lease.cancelExpiryTimer();
    Instance draining =
        state.get(lease.service, lease.instanceId).toBuilder()
            .setHealth(HealthStatus.DRAINING)
            .build();
    state.put(draining);
    commit();
    lease.drainRevision = state.snapshot().revision();
    lease.removeAtNanos = now + graceNanos;
    scheduleRemoval(lease, now);
    events.draining(lease, graceNanos, lease.drainRevision);
    return new Deregistration(
        lease.service, lease.instanceId, lease.drainRevision, Optional.of(draining));
  }

  private long removeDeregistered(Lease lease, long now) {
    unsuspend(lease);
    state.remove(lease.service, lease.instanceId);
    commit();
    long revision = state.snapshot().revision();
    leases.bury(lease, Tombstones.Reason.DEREGISTERED, revision, now);
    events.removed(lease, revision);
    return revision;
  }

  /** Removes an overdue lease and its instance; the caller commits. */
  private void expire(Lease lease, long now) {
    unsuspend(lease);
    leases.remove(lease);
    state.remove(lease.service, lease.instanceId);
    preservation.expired(now);
    metrics.leaseExpired();
    events.expired(lease);
  }

  private void unsuspend(Lease lease) {
    if (lease.suspended) {
      lease.suspended = false;
      preservation.unsuspended();
    }
  }

  /** Makes sure an expiry check runs at {@code dueNanos} or earlier. */
  private void scheduleExpiryCheck(Lease lease, long dueNanos, long now) {
    if (closed || (lease.expiryTimer != null && lease.expiryTimer.dueNanos - dueNanos <= 0)) {
      return;
    }
    lease.cancelExpiryTimer();
    Lease.Timer timer = new Lease.Timer(dueNanos);
    lease.expiryTimer = timer;
    timer.future =
        scheduler.schedule(() -> onExpiryTimer(lease, timer), dueNanos - now, NANOSECONDS);
  }

  private void scheduleRemoval(Lease lease, long now) {
    lease.cancelRemovalTimer();
    if (closed) {
      return;
    }
    Lease.Timer timer = new Lease.Timer(lease.removeAtNanos);
    lease.removalTimer = timer;
    timer.future =
        scheduler.schedule(
            () -> onRemovalTimer(lease, timer), lease.removeAtNanos - now, NANOSECONDS);
  }

  private void onExpiryTimer(Lease lease, Lease.Timer timer) {
    synchronized (lock) {
      if (lease.expiryTimer != timer || closed) {
        return;
      }
      lease.expiryTimer = null;
      long now = ticker.read();
      if (now - lease.expiresAtNanos < 0) {
        scheduleExpiryCheck(lease, lease.expiresAtNanos, now);
      } else if (lease.suspended) {
        if (!releaseIfRecovered(now)) {
          scheduleExpiryCheck(lease, now + lease.ttlNanos, now);
        }
      } else {
        expireOrSuspend(lease, now);
      }
    }
    events.deliver();
  }

  private void expireOrSuspend(Lease lease, long now) {
    boolean wasActive = preservation.active();
    if (preservation.mayExpire(now, leases.size())) {
      expire(lease, now);
      commit();
      return;
    }
    lease.suspended = true;
    scheduleExpiryCheck(lease, now + lease.ttlNanos, now);
    if (!wasActive) {
      metrics.selfPreservation(true);
      int recent = preservation.recentExpiries(now);
      events.selfPreservationOn(
          recent + preservation.suspended(),
          leases.size() + recent,
          options.defaultLeaseTtl(),
          options.maxExpiryFraction());
    }
  }

  private void onRemovalTimer(Lease lease, Lease.Timer timer) {
    synchronized (lock) {
      if (lease.removalTimer != timer || closed) {
        return;
      }
      lease.removalTimer = null;
      long now = ticker.read();
      removeDeregistered(lease, now);
      releaseIfRecovered(now);
    }
    events.deliver();
  }

  /**
   * Ends self-preservation if the share of lost leases is back within the limit, expiring every
   * lease still overdue.
   */
  private boolean releaseIfRecovered(long now) {
    if (!preservation.release(now, leases.size())) {
      return false;
    }
    metrics.selfPreservation(false);
    List<Lease> overdue = leases.all().stream().filter(l -> l.suspended).toList();
    overdue.forEach(lease -> expire(lease, now));
    commit();
    events.selfPreservationOff(overdue.size());
    return true;
  }

  private void commit() {
    RegistryChange change = state.commit();
    if (change == null) {
      return;
    }
    current = change.snapshot();
    metrics.changed(change.revision(), state);
    events.changed(change);
  }

  private static Instance withDefaults(Instance instance) {
    Instance.Builder builder = instance.toBuilder();
    if (instance.getWeight() == 0) {
      builder.setWeight(100);
    }
    if (instance.getHealth() == HealthStatus.HEALTH_STATUS_UNSPECIFIED) {
      builder.setHealth(HealthStatus.SERVING);
    }
    List<String> grpcServices = instance.getGrpcServicesList().stream().sorted().toList();
    builder.clearGrpcServices().addAllGrpcServices(grpcServices);
    return builder.build();
  }
}
