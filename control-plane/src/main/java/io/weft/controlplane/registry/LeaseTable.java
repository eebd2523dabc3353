package io.weft.controlplane.registry;

import io.weft.controlplane.registry.Tombstones.Tombstone;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Granted leases by id and by instance, plus the tombstones of leases that ended by supersession
 * or deregistration. Not thread-safe: the registry calls it under its lock.
 */
final class LeaseTable {

  private final Map<String, Lease> byId = new HashMap<>();
  private final Map<String, Lease> byInstance = new HashMap<>();
  private final Tombstones tombstones = new Tombstones();

  /** The lease with {@code leaseId}, or null. */
  Lease get(String leaseId) {
    return byId.get(leaseId);
  }

  /** The lease of an instance, or null. */
  Lease ofInstance(String service, String instanceId) {
    return byInstance.get(key(service, instanceId));
  }

  /** Adds {@code lease}, replacing the instance's previous lease in the instance index. */
  void add(Lease lease) {
    byId.put(lease.id, lease);
    byInstance.put(key(lease.service, lease.instanceId), lease);
  }

  /** Removes {@code lease} and cancels its timers. */
  void remove(Lease lease) {
    byId.remove(lease.id);
    byInstance.remove(key(lease.service, lease.instanceId), lease);
    lease.cancelTimers();
  }

  /** Removes {@code lease} and remembers why it ended. */
  void bury(Lease lease, Tombstones.Reason reason, long revision, long nowNanos) {
    remove(lease);
    tombstones.add(lease, reason, revision, nowNanos);
  }

  /** The tombstone of an ended lease, or null if it is not (or no longer) remembered. */
  Tombstone tombstone(String leaseId, long nowNanos) {
    return tombstones.get(leaseId, nowNanos);
  }

  int size() {
    return byId.size();
  }

  Collection<Lease> all() {
    return byId.values();
  }

  /** Every lease as the admin views show it, sorted by service and instance id. */
  List<LeaseView> views(long nowNanos) {
    List<LeaseView> views = new ArrayList<>(byId.size());
    for (Lease lease : byId.values()) {
      LeaseView.State state;
      long left;
      if (lease.draining) {
        state = LeaseView.State.DRAINING;
        left = lease.removeAtNanos - nowNanos;
      } else if (lease.suspended) {
        state = LeaseView.State.EXPIRY_SUSPENDED;
        left = 0;
      } else {
        state = LeaseView.State.ACTIVE;
        left = lease.expiresAtNanos - nowNanos;
      }
      views.add(
          new LeaseView(
              lease.id,
              lease.service,
              lease.instanceId,
              lease.nodeId,
              Duration.ofNanos(lease.ttlNanos),
              Duration.ofNanos(Math.max(0, left)),
              state));
    }
    views.sort(Comparator.comparing(LeaseView::service).thenComparing(LeaseView::instanceId));
    return List.copyOf(views);
  }

  private static String key(String service, String instanceId) {
    // Service names are DNS labels and never contain '/'.
    return service + "/" + instanceId;
  }
}
