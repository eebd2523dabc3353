package io.weft.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Which registry changes each simulated sidecar still has to see, and how long each took to reach
 * one sidecar ("delivery") and every subscribed sidecar ("complete"). Fed by the change loop
 * ({@link #started}) and then by each sidecar's replay ({@link #observed}), in arrival order per
 * sidecar. Thread-safe.
 */
final class PropagationLedger {

  /** One change in flight: an instance added to, or removed from, a service. */
  private static final class Change {
    final String service;
    final String instanceId;
    final boolean addition;
    final long startNanos;
    final Set<String> awaiting;
    final boolean hot;
    // The latest arrival so far: sidecars replay one after another, not in arrival order.
    long slowestMicros;

    Change(String service, String instanceId, boolean addition, long startNanos,
        Set<String> awaiting, boolean hot) {
      this.service = service;
      this.instanceId = instanceId;
      this.addition = addition;
      this.startNanos = startNanos;
      this.awaiting = awaiting;
      this.hot = hot;
    }
  }

  private final Map<String, List<Change>> pendingByService = new HashMap<>();
  private final Histogram delivery = newHistogram();
  private final Histogram complete = newHistogram();
  private final Histogram hotDelivery = newHistogram();
  private final Histogram hotComplete = newHistogram();
  private int pending;

  private static Histogram newHistogram() {
    return new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
  }

  /** Records a change just sent; {@code subscribers} are the node ids that must see it. */
  synchronized void started(String service, String instanceId, boolean addition,
      Set<String> subscribers, boolean hot, long startNanos) {
    if (subscribers.isEmpty()) {
      return;
    }
    pendingByService
        .computeIfAbsent(service, s -> new ArrayList<>())
        .add(new Change(service, instanceId, addition, startNanos, new HashSet<>(subscribers), hot));
    pending++;
  }

  /** A sidecar received {@code service} with these instance ids at {@code nowNanos}. */
  synchronized void observed(String node, String service, Set<String> instanceIds, long nowNanos) {
    List<Change> changes = pendingByService.get(service);
    if (changes == null) {
      return;
    }
    for (Iterator<Change> it = changes.iterator(); it.hasNext(); ) {
      Change change = it.next();
      if (nowNanos < change.startNanos) {
        continue;
      }
      boolean visible = instanceIds.contains(change.instanceId) == change.addition;
      if (visible && change.awaiting.remove(node)) {
        long micros = TimeUnit.NANOSECONDS.toMicros(nowNanos - change.startNanos);
        (change.hot ? hotDelivery : delivery).recordValue(micros);
        change.slowestMicros = Math.max(change.slowestMicros, micros);
        if (change.awaiting.isEmpty()) {
          (change.hot ? hotComplete : complete).recordValue(change.slowestMicros);
          it.remove();
          pending--;
        }
      }
    }
  }

  synchronized int pending() {
    return pending;
  }

  /** Change to an ordinary service, to one subscribed sidecar. */
  synchronized Histogram delivery() {
    return delivery.copy();
  }

  /** Change to an ordinary service, to the last of its subscribed sidecars. */
  synchronized Histogram complete() {
    return complete.copy();
  }

  /** Change to the service every sidecar subscribes to, to one sidecar. */
  synchronized Histogram hotDelivery() {
    return hotDelivery.copy();
  }

  /** Change to the service every sidecar subscribes to, to the last sidecar. */
  synchronized Histogram hotComplete() {
    return hotComplete.copy();
  }
}
