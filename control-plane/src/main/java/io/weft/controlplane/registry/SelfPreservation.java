package io.weft.controlplane.registry;

import java.util.ArrayDeque;

/**
 * Eureka's self-preservation, kept simple: when, within one window (the default lease TTL), more
 * than {@code maxFraction} of all leases have expired or are overdue, and more than two, expiry is
 * suspended; overdue leases are kept (marked suspended) until the share falls back to at most
 * {@code maxFraction}, because renewals resumed or the burst left the window. A control plane cut
 * off from its sidecars thus keeps serving the last known endpoints instead of erasing them.
 *
 * <p>The share is {@code (expired in window + suspended) / (leases now + expired in window)}.
 * Not thread-safe: the registry calls it under its lock.
 */
final class SelfPreservation {

  /** Never suspends for this many expiries or fewer. */
  static final int MIN_EXPIRIES = 2;

  private final double maxFraction;
  private final long windowNanos;
  private final ArrayDeque<Long> recentExpiries = new ArrayDeque<>();
  private int suspended;
  private boolean active;

  SelfPreservation(double maxFraction, long windowNanos) {
    this.maxFraction = maxFraction;
    this.windowNanos = windowNanos;
  }

  /** Whether expiry is suspended now. */
  boolean active() {
    return active;
  }

  /** Number of overdue leases kept. */
  int suspended() {
    return suspended;
  }

  /** Expiries counted in the current window. */
  int recentExpiries(long nowNanos) {
    prune(nowNanos);
    return recentExpiries.size();
  }

  /**
   * Decides for one overdue lease. Returns true if it may expire now (the caller then calls
   * {@link #expired}); false if it must be kept, in which case it is counted as suspended and
   * self-preservation is active.
   *
   * @param leaseCount leases held now, including the overdue one
   */
  boolean mayExpire(long nowNanos, int leaseCount) {
    prune(nowNanos);
    if (!active && !overLimit(1, leaseCount)) {
      return true;
    }
    active = true;
    suspended++;
    return false;
  }

  /** Records an expiry. */
  void expired(long nowNanos) {
    recentExpiries.addLast(nowNanos);
  }

  /** Records that a suspended lease was renewed or removed. */
  void unsuspended() {
    suspended--;
  }

  /**
   * Ends self-preservation if the share is back within the limit. The caller then expires every
   * still suspended lease (calling {@link #unsuspended} and {@link #expired} for each).
   *
   * @return true if it just ended
   */
  boolean release(long nowNanos, int leaseCount) {
    prune(nowNanos);
    if (!active || overLimit(0, leaseCount)) {
      return false;
    }
    active = false;
    return true;
  }

  private boolean overLimit(int extra, int leaseCount) {
    int lost = recentExpiries.size() + suspended + extra;
    int population = leaseCount + recentExpiries.size();
    return lost > MIN_EXPIRIES && lost > maxFraction * population;
  }

  private void prune(long nowNanos) {
    while (!recentExpiries.isEmpty() && nowNanos - recentExpiries.peekFirst() >= windowNanos) {
      recentExpiries.removeFirst();
    }
  }
}
