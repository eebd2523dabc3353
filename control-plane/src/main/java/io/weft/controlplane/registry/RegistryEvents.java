package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;

import io.grpc.SynchronizationContext;
import io.weft.common.ProtoDurations;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's outbox. Under the registry's lock, changes, lease ends and their log lines are
 * queued in order; after the lock is released, {@link #deliver} runs them on the calling thread,
 * one at a time (a thread that finds another one delivering leaves the work to it). Listeners
 * thus see every change once, in revision order, never concurrently and never under the lock.
 *
 * <p>Every method but {@link #deliver} is called under the registry's lock; values are captured
 * then, so that a lease changing later does not change what is logged.
 */
final class RegistryEvents {

  private static final Logger log = LoggerFactory.getLogger(Registry.class);

  private final SynchronizationContext queue =
      new SynchronizationContext(
          (thread, error) -> log.error("registry event delivery failed", error));
  private List<RegistryListener> listeners = List.of();
  private List<LeaseListener> leaseListeners = List.of();

  void addListener(RegistryListener listener) {
    listeners = append(listeners, requireNonNull(listener, "listener"));
  }

  void removeListener(RegistryListener listener) {
    List<RegistryListener> copy = new ArrayList<>(listeners);
    copy.remove(listener);
    listeners = List.copyOf(copy);
  }

  void addLeaseListener(LeaseListener listener) {
    leaseListeners = append(leaseListeners, requireNonNull(listener, "listener"));
  }

  /** Queues {@code change} for the listeners registered now. */
  void changed(RegistryChange change) {
    List<RegistryListener> targets = listeners;
    queue.executeLater(
        () -> {
          for (RegistryListener listener : targets) {
            try {
              listener.onChange(change);
            } catch (RuntimeException e) {
              log.error("registry listener failed at revision {}", change.revision(), e);
            }
          }
        });
  }

  /** A lease was granted ({@code verb} "registered") or its instance replaced ("replaced"). */
  void registered(
      String verb, Instance instance, String nodeId, String leaseId, long ttlNanos, long revision) {
    String ttl = ProtoDurations.describe(Duration.ofNanos(ttlNanos));
    log(
        () ->
            log.info(
                "{} {}/{} at {}:{} zone={} weight={} health={} node={} lease={} ttl={} rev={}",
                verb,
                instance.getService(),
                instance.getInstanceId(),
                instance.getAddress(),
                instance.getPort(),
                instance.getZone(),
                instance.getWeight(),
                instance.getHealth(),
                nodeId,
                leaseId,
                ttl,
                revision));
  }

  /** A lease's instance was registered by another node. */
  void superseded(Lease old, String byNode) {
    String name = old.instanceName();
    String leaseId = old.id;
    String nodeId = old.nodeId;
    log(() -> log.info("superseded {} lease={} node={} by node={}", name, leaseId, nodeId, byNode));
    leaseEnded(leaseId, LeaseListener.Reason.SUPERSEDED);
  }

  /** A renewal changed an instance's health. */
  void healthChanged(Lease lease, HealthStatus from, HealthStatus to, long revision) {
    String name = lease.instanceName();
    String leaseId = lease.id;
    log(() -> log.info("health {} {} -> {} lease={} rev={}", name, from, to, leaseId, revision));
  }

  /** An instance turned DRAINING. */
  void draining(Lease lease, long graceNanos, long revision) {
    String name = lease.instanceName();
    String leaseId = lease.id;
    String grace = ProtoDurations.describe(Duration.ofNanos(graceNanos));
    log(() -> log.info("draining {} lease={} grace={} rev={}", name, leaseId, grace, revision));
  }

  /** A second deregistration shortened a drain. */
  void graceShortened(Lease lease, long graceNanos) {
    String name = lease.instanceName();
    String leaseId = lease.id;
    String grace = ProtoDurations.describe(Duration.ofNanos(graceNanos));
    log(() -> log.info("drain grace shortened {} lease={} grace={}", name, leaseId, grace));
  }

  /** A deregistered instance was removed. */
  void removed(Lease lease, long revision) {
    String name = lease.instanceName();
    String leaseId = lease.id;
    log(() -> log.info("removed {} lease={} (deregistered) rev={}", name, leaseId, revision));
    leaseEnded(leaseId, LeaseListener.Reason.REMOVED);
  }

  /** A lease expired and its instance was removed. */
  void expired(Lease lease) {
    String name = lease.instanceName();
    String leaseId = lease.id;
    String nodeId = lease.nodeId;
    String ttl = ProtoDurations.describe(Duration.ofNanos(lease.ttlNanos));
    log(
        () ->
            log.info(
                "expired {} lease={} node={} (not renewed within {})", name, leaseId, nodeId, ttl));
    leaseEnded(leaseId, LeaseListener.Reason.EXPIRED);
  }

  /** Self-preservation began. */
  void selfPreservationOn(int lost, int population, Duration window, double maxFraction) {
    String within = ProtoDurations.describe(window);
    long percent = Math.round(maxFraction * 100);
    log(
        () ->
            log.warn(
                "SELF-PRESERVATION ON: {} of {} leases expired or overdue within {} (limit {}%);"
                    + " lease expiry suspended until renewals resume",
                lost,
                population,
                within,
                percent));
  }

  /** Self-preservation ended. */
  void selfPreservationOff(int overdue) {
    log(
        () ->
            log.warn(
                "SELF-PRESERVATION OFF: renewals resumed; expiring {} overdue leases", overdue));
  }

  private void leaseEnded(String leaseId, LeaseListener.Reason reason) {
    List<LeaseListener> targets = leaseListeners;
    queue.executeLater(
        () -> {
          for (LeaseListener listener : targets) {
            try {
              listener.onLeaseEnded(leaseId, reason);
            } catch (RuntimeException e) {
              log.error("lease listener failed for lease {} ({})", leaseId, reason, e);
            }
          }
        });
  }

  private void log(Runnable line) {
    queue.executeLater(line);
  }

  /** Runs everything queued. Call after releasing the registry's lock. */
  void deliver() {
    queue.drain();
  }

  private static <T> List<T> append(List<T> list, T element) {
    List<T> copy = new ArrayList<>(list);
    copy.add(element);
    return List.copyOf(copy);
  }
}
