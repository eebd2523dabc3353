package io.weft.controlplane.registration;

import static java.util.Objects.requireNonNull;

import io.weft.controlplane.registry.PropagationTracker;
import io.weft.mesh.v1.DrainConfirmation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Confirmed drains by lease: one {@link PropagationTracker} wait per draining lease, and the
 * confirmations that came back (the last {@value #MAX_CONFIRMED}), so that every later renewal of
 * the lease can be answered with its confirmation. Thread-safe; the callback runs outside the
 * lock.
 */
final class DrainConfirmations {

  static final int MAX_CONFIRMED = 10_000;

  private final PropagationTracker tracker;
  private final Duration bound;
  private final BiConsumer<String, DrainConfirmation> onConfirmed;
  private final Object lock = new Object();
  private final Map<String, Wait> pending = new HashMap<>();
  private final Map<String, DrainConfirmation> confirmed =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, DrainConfirmation> eldest) {
          return size() > MAX_CONFIRMED;
        }
      };

  /**
   * @param bound how long a wait lasts before it completes with {@code timed_out}
   * @param onConfirmed called with the lease id and its confirmation when a wait completes
   */
  DrainConfirmations(
      PropagationTracker tracker,
      Duration bound,
      BiConsumer<String, DrainConfirmation> onConfirmed) {
    this.tracker = requireNonNull(tracker, "tracker");
    this.bound = requireNonNull(bound, "bound");
    this.onConfirmed = requireNonNull(onConfirmed, "onConfirmed");
  }

  /**
   * Waits until every sidecar subscribed to {@code service} has ACKed {@code revision}, unless a
   * wait for the lease is already pending or confirmed.
   */
  void await(String leaseId, String service, long revision) {
    Wait wait = new Wait();
    synchronized (lock) {
      if (pending.containsKey(leaseId) || confirmed.containsKey(leaseId)) {
        return;
      }
      pending.put(leaseId, wait);
    }
    PropagationTracker.Cancellable handle =
        tracker.whenAcknowledged(
            service, revision, bound, confirmation -> complete(leaseId, wait, confirmation));
    synchronized (lock) {
      if (!wait.cancelled) {
        wait.handle = handle;
        return;
      }
    }
    handle.cancel();
  }

  /** The confirmation of the lease's drain, or null if none came yet. */
  DrainConfirmation confirmation(String leaseId) {
    synchronized (lock) {
      return confirmed.get(leaseId);
    }
  }

  /** Cancels the lease's wait and forgets its confirmation: it registered again, or ended. */
  void forget(String leaseId) {
    PropagationTracker.Cancellable handle = null;
    synchronized (lock) {
      confirmed.remove(leaseId);
      Wait wait = pending.remove(leaseId);
      if (wait != null) {
        wait.cancelled = true;
        handle = wait.handle;
      }
    }
    if (handle != null) {
      handle.cancel();
    }
  }

  /** Cancels every pending wait. */
  void cancelAll() {
    List<PropagationTracker.Cancellable> handles = new ArrayList<>();
    synchronized (lock) {
      for (Wait wait : pending.values()) {
        wait.cancelled = true;
        if (wait.handle != null) {
          handles.add(wait.handle);
        }
      }
      pending.clear();
    }
    handles.forEach(PropagationTracker.Cancellable::cancel);
  }

  private void complete(String leaseId, Wait wait, DrainConfirmation confirmation) {
    synchronized (lock) {
      if (pending.get(leaseId) != wait) {
        return;
      }
      pending.remove(leaseId);
      confirmed.put(leaseId, confirmation);
    }
    onConfirmed.accept(leaseId, confirmation);
  }

  /** One pending tracker wait. Fields guarded by the lock. */
  private static final class Wait {
    PropagationTracker.Cancellable handle;
    boolean cancelled;
  }
}
