package io.weft.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Marks dirty every stream whose subscriptions intersect a batch of changed names, using the
 * subscription index: the work is proportional to the changed names and their subscribers (plus
 * the wildcard streams), never to every stream times every service. Each stream then sends on its
 * own when its transport is ready.
 */
final class ChangeDispatcher {

  private final SubscriptionIndex<DiscoveryStream> index;
  private final Executor executor;

  ChangeDispatcher(SubscriptionIndex<DiscoveryStream> index, Executor executor) {
    this.index = requireNonNull(index, "index");
    this.executor = requireNonNull(executor, "executor");
  }

  /** Marks the streams a batch concerns. Runs on the fan-out executor. */
  void dispatch(ChangeCoalescer.Batch batch) {
    Set<DiscoveryStream> wildcard = new HashSet<>(index.wildcardSubscribers());
    Map<DiscoveryStream, List<String>> services = new HashMap<>();
    for (String name : batch.services()) {
      for (DiscoveryStream stream : index.namedServiceSubscribers(name)) {
        if (!wildcard.contains(stream)) {
          services.computeIfAbsent(stream, s -> new ArrayList<>()).add(name);
        }
      }
    }
    Map<DiscoveryStream, List<String>> routes = new HashMap<>();
    for (String name : batch.routes()) {
      for (DiscoveryStream stream : index.routeSubscribers(name)) {
        routes.computeIfAbsent(stream, s -> new ArrayList<>()).add(name);
      }
    }
    long arrival = batch.firstArrivalNanos();
    if (!batch.services().isEmpty()) {
      for (DiscoveryStream stream : wildcard) {
        stream.markChanged(batch.services(), orEmpty(routes.remove(stream)), arrival);
      }
    }
    services.forEach(
        (stream, names) -> stream.markChanged(names, orEmpty(routes.remove(stream)), arrival));
    routes.forEach((stream, names) -> stream.markChanged(List.of(), names, arrival));
  }

  /**
   * Has the streams subscribed to {@code services} look at them again (for example because a
   * warm-up hold may have lifted), on the fan-out executor.
   */
  void recheckLater(Set<String> services) {
    ChangeCoalescer.Batch batch = new ChangeCoalescer.Batch(services, Set.of(), -1);
    executor.execute(() -> dispatch(batch));
  }

  /** Has every given stream try to send what it holds, on the fan-out executor. */
  void flushLater(Collection<DiscoveryStream> streams) {
    List<DiscoveryStream> copy = List.copyOf(streams);
    executor.execute(() -> copy.forEach(DiscoveryStream::flush));
  }

  private static List<String> orEmpty(List<String> names) {
    return names != null ? names : List.of();
  }
}
