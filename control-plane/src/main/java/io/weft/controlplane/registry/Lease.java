package io.weft.controlplane.registry;

import java.util.concurrent.ScheduledFuture;

/**
 * One granted lease and its timers. Mutable; only the {@link Registry} touches it, under its
 * lock. Times are {@link com.google.common.base.Ticker} nanoseconds.
 */
final class Lease {

  final String id;
  final String service;
  final String instanceId;
  String nodeId;
  long ttlNanos;
  /** When the lease expires unless renewed. */
  long expiresAtNanos;

  /** The pending expiry check; null if none. */
  Timer expiryTimer;

  /** Overdue, but kept because self-preservation suspended expiry. */
  boolean suspended;

  /** Deregistered and waiting for its grace to pass. */
  boolean draining;

  /** The revision at which the instance turned DRAINING. */
  long drainRevision;

  /** When a draining instance is removed. */
  long removeAtNanos;

  /** The pending removal of a draining instance; null if none. */
  Timer removalTimer;

  Lease(String id, String service, String instanceId) {
    this.id = id;
    this.service = service;
    this.instanceId = instanceId;
  }

  /** {@code service/instanceId}, for logs. */
  String instanceName() {
    return service + "/" + instanceId;
  }

  /** Cancels both timers. */
  void cancelTimers() {
    cancelExpiryTimer();
    cancelRemovalTimer();
  }

  void cancelExpiryTimer() {
    if (expiryTimer != null) {
      expiryTimer.future.cancel(false);
      expiryTimer = null;
    }
  }

  void cancelRemovalTimer() {
    if (removalTimer != null) {
      removalTimer.future.cancel(false);
      removalTimer = null;
    }
  }

  /**
   * A scheduled check. A task that fires acts only if its timer is still the lease's current one,
   * so a timer cancelled while it was starting to run does nothing.
   */
  static final class Timer {
    final long dueNanos;
    ScheduledFuture<?> future;

    Timer(long dueNanos) {
      this.dueNanos = dueNanos;
    }
  }
}
