package io.weft.controlplane.discovery;

import io.weft.controlplane.registry.RegistrySnapshot;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.ServiceEndpoints;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One stream's send state: the names that changed since they were last sent (dirty) and the
 * revision of what was last sent for each name. Latest state wins: nothing is queued but names,
 * so the memory is bounded by the subscribed names whatever the sidecar does. Confined to the
 * stream's synchronization context.
 */
final class PendingPush {

  /** The resources of one response. */
  record Content(List<ServiceEndpoints> services, List<GrpcRoute> routes) {
    boolean isEmpty() {
      return services.isEmpty() && routes.isEmpty();
    }
  }

  private final Set<String> dirtyServices = new LinkedHashSet<>();
  private final Set<String> dirtyRoutes = new LinkedHashSet<>();
  private final Map<String, Long> sentServices = new HashMap<>();
  private final Map<String, Long> sentRoutes = new HashMap<>();
  private long oldestChangeNanos = -1;

  /** A subscribed service changed in the registry. */
  void serviceChanged(String name) {
    dirtyServices.add(name);
  }

  /** A subscribed route changed in the registry. */
  void routeChanged(String name) {
    dirtyRoutes.add(name);
  }

  /** Remembers the arrival of the oldest registry change not sent yet (for push latency). */
  void changeArrived(long arrivalNanos) {
    if (arrivalNanos >= 0 && (oldestChangeNanos < 0 || arrivalNanos < oldestChangeNanos)) {
      oldestChangeNanos = arrivalNanos;
    }
  }

  /** A newly subscribed service: send its current state, whatever was sent before. */
  void subscribeService(String name) {
    sentServices.remove(name);
    dirtyServices.add(name);
  }

  /** A newly subscribed route: send its current state, whatever was sent before. */
  void subscribeRoute(String name) {
    sentRoutes.remove(name);
    dirtyRoutes.add(name);
  }

  void forgetService(String name) {
    sentServices.remove(name);
    dirtyServices.remove(name);
  }

  void forgetRoute(String name) {
    sentRoutes.remove(name);
    dirtyRoutes.remove(name);
  }

  /** Forgets every service that {@code keep} rejects. */
  void retainServices(Predicate<String> keep) {
    sentServices.keySet().removeIf(keep.negate());
    dirtyServices.removeIf(keep.negate());
  }

  boolean hasDirty() {
    return !dirtyServices.isEmpty() || !dirtyRoutes.isEmpty();
  }

  /**
   * Takes every dirty name whose state in {@code snapshot} differs from what was last sent and
   * that the gate lets through; names the gate holds stay dirty, unchanged names are dropped.
   */
  Content take(
      RegistrySnapshot snapshot,
      ResourceCache cache,
      Predicate<ServiceEndpoints> serviceGate,
      Predicate<GrpcRoute> routeGate) {
    List<ServiceEndpoints> services = new ArrayList<>();
    for (Iterator<String> it = dirtyServices.iterator(); it.hasNext(); ) {
      String name = it.next();
      ServiceEndpoints endpoints = cache.service(snapshot, name);
      Long sent = sentServices.get(name);
      if (sent != null && sent == endpoints.getRevision()) {
        it.remove();
      } else if (serviceGate.test(endpoints)) {
        services.add(endpoints);
        sentServices.put(name, endpoints.getRevision());
        it.remove();
      }
    }
    List<GrpcRoute> routes = new ArrayList<>();
    for (Iterator<String> it = dirtyRoutes.iterator(); it.hasNext(); ) {
      String name = it.next();
      GrpcRoute route = cache.route(snapshot, name);
      Long sent = sentRoutes.get(name);
      if (sent != null && sent == route.getRevision()) {
        it.remove();
      } else if (routeGate.test(route)) {
        routes.add(route);
        sentRoutes.put(name, route.getRevision());
        it.remove();
      }
    }
    return new Content(services, routes);
  }

  /** The arrival of the oldest change in the response being sent, or -1; resets it. */
  long takeOldestChange() {
    long oldest = oldestChangeNanos;
    oldestChangeNanos = -1;
    return oldest;
  }
}
