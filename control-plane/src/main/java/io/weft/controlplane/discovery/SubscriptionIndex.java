package io.weft.controlplane.discovery;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which streams subscribe to which names: service name to streams, the wildcard streams, route
 * name to streams. Lets the fan-out find the streams a change concerns in O(changed names ×
 * their subscribers) instead of O(streams × services). Thread-safe.
 *
 * @param <S> the stream type
 */
final class SubscriptionIndex<S> {

  private final ConcurrentHashMap<String, Set<S>> byService = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<S>> byRoute = new ConcurrentHashMap<>();
  private final Set<S> wildcard = ConcurrentHashMap.newKeySet();

  void addService(String name, S stream) {
    add(byService, name, stream);
  }

  void removeService(String name, S stream) {
    remove(byService, name, stream);
  }

  void addRoute(String name, S stream) {
    add(byRoute, name, stream);
  }

  void removeRoute(String name, S stream) {
    remove(byRoute, name, stream);
  }

  void addWildcard(S stream) {
    wildcard.add(stream);
  }

  void removeWildcard(S stream) {
    wildcard.remove(stream);
  }

  /** Streams subscribed to {@code name} by name (a live view; iterate, do not keep). */
  Set<S> namedServiceSubscribers(String name) {
    Set<S> streams = byService.get(name);
    return streams != null ? streams : Set.of();
  }

  /** Streams subscribed to every service (a live view; iterate, do not keep). */
  Set<S> wildcardSubscribers() {
    return wildcard;
  }

  /** Streams subscribed to the route {@code name} (a live view; iterate, do not keep). */
  Set<S> routeSubscribers(String name) {
    Set<S> streams = byRoute.get(name);
    return streams != null ? streams : Set.of();
  }

  /** A copy of every stream subscribed to {@code name}, by name or by wildcard. */
  Set<S> serviceSubscribers(String name) {
    Set<S> streams = new HashSet<>(namedServiceSubscribers(name));
    streams.addAll(wildcard);
    return streams;
  }

  private static <S> void add(ConcurrentHashMap<String, Set<S>> map, String name, S stream) {
    map.compute(
        name,
        (key, streams) -> {
          Set<S> result = streams != null ? streams : ConcurrentHashMap.newKeySet();
          result.add(stream);
          return result;
        });
  }

  private static <S> void remove(ConcurrentHashMap<String, Set<S>> map, String name, S stream) {
    map.computeIfPresent(
        name,
        (key, streams) -> {
          streams.remove(stream);
          return streams.isEmpty() ? null : streams;
        });
  }
}
