package io.weft.controlplane.discovery;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one stream subscribes to: service names, the wildcard, route names. Changed only from the
 * stream's synchronization context; read from any thread (the fan-out, propagation waits and the
 * status view).
 */
final class Subscriptions {

  private final Set<String> services = ConcurrentHashMap.newKeySet();
  private final Set<String> routes = ConcurrentHashMap.newKeySet();
  private volatile boolean wildcard;

  /** Whether the service is subscribed, by name or by wildcard. */
  boolean coversService(String name) {
    return wildcard || services.contains(name);
  }

  boolean coversRoute(String name) {
    return routes.contains(name);
  }

  boolean wildcard() {
    return wildcard;
  }

  /** Service names subscribed by name (a live view). */
  Set<String> services() {
    return services;
  }

  /** Route names subscribed (a live view). */
  Set<String> routes() {
    return routes;
  }

  /** @return whether the name was not subscribed by name before */
  boolean addService(String name) {
    return services.add(name);
  }

  /** @return whether the name was subscribed by name before */
  boolean removeService(String name) {
    return services.remove(name);
  }

  /** @return whether the wildcard changed */
  boolean setWildcard(boolean on) {
    boolean changed = wildcard != on;
    wildcard = on;
    return changed;
  }

  boolean addRoute(String name) {
    return routes.add(name);
  }

  boolean removeRoute(String name) {
    return routes.remove(name);
  }

  List<String> sortedServices() {
    return services.stream().sorted().toList();
  }

  List<String> sortedRoutes() {
    return routes.stream().sorted().toList();
  }
}
