package io.weft.controlplane.registry;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Leases that ended by supersession or deregistration, remembered for ten times their TTL (and
 * at most {@value #MAX_ENTRIES} of them) so that a late renewal is told what happened instead of
 * "not found". Not thread-safe: the registry calls it under its lock.
 */
final class Tombstones {

  static final int MAX_ENTRIES = 10_000;
  static final int RETENTION_TTLS = 10;

  /** How a remembered lease ended. */
  enum Reason {
    SUPERSEDED,
    DEREGISTERED
  }

  /** A remembered lease. */
  record Tombstone(
      String leaseId, String service, String instanceId, Reason reason, long revision,
      long expiresAtNanos) {}

  private final LinkedHashMap<String, Tombstone> entries = new LinkedHashMap<>();

  /** Remembers {@code lease} as ended for {@code reason} at {@code revision}. */
  void add(Lease lease, Reason reason, long revision, long nowNanos) {
    prune(nowNanos);
    long retention = Math.multiplyExact(lease.ttlNanos, RETENTION_TTLS);
    entries.put(
        lease.id,
        new Tombstone(
            lease.id, lease.service, lease.instanceId, reason, revision, nowNanos + retention));
    if (entries.size() > MAX_ENTRIES) {
      Iterator<String> eldest = entries.keySet().iterator();
      eldest.next();
      eldest.remove();
    }
  }

  /** The tombstone of {@code leaseId} if it is still remembered, else null. */
  Tombstone get(String leaseId, long nowNanos) {
    Tombstone tombstone = entries.get(leaseId);
    return tombstone == null || tombstone.expiresAtNanos() - nowNanos <= 0 ? null : tombstone;
  }

  int size() {
    return entries.size();
  }

  private void prune(long nowNanos) {
    Iterator<Map.Entry<String, Tombstone>> it = entries.entrySet().iterator();
    while (it.hasNext() && it.next().getValue().expiresAtNanos() - nowNanos <= 0) {
      it.remove();
    }
  }
}
