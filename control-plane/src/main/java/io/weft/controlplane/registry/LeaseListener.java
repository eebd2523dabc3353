package io.weft.controlplane.registry;

/**
 * Hears when leases end. The registration service uses it to tell a superseded lease's keep-alive
 * stream and to forget streams of leases that are gone. Called like {@link RegistryListener}s:
 * in order, one call at a time, never under the registry's lock; must not block.
 */
@FunctionalInterface
public interface LeaseListener {

  /** Why a lease ended. */
  enum Reason {
    /** Another node registered the same instance; a new lease replaced this one. */
    SUPERSEDED,
    /** Not renewed within its TTL; its instance was removed. */
    EXPIRED,
    /** Deregistered; its instance was removed (at once, or when the drain grace passed). */
    REMOVED
  }

  /** Called once when lease {@code leaseId} ends. */
  void onLeaseEnded(String leaseId, Reason reason);
}
