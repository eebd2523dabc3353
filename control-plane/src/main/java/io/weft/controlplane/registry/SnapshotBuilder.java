package io.weft.controlplane.registry;

import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The registry's instances and the snapshot that publishes them. Mutations mark services and
 * routes dirty; {@link #commit} rebuilds only those views into the next immutable {@link
 * RegistrySnapshot}, sharing every other view with the previous one. Not thread-safe: the
 * registry calls it under its lock.
 */
final class SnapshotBuilder {

  private final Map<String, TreeMap<String, Instance>> instancesByService = new HashMap<>();
  /** gRPC service name to the mesh services serving it, each with its number of instances. */
  private final Map<String, TreeMap<String, Integer>> routeServices = new HashMap<>();

  private final Map<HealthStatus, Integer> healthCounts = new EnumMap<>(HealthStatus.class);
  private final Set<String> dirtyServices = new HashSet<>();
  private final Set<String> dirtyRoutes = new HashSet<>();
  private ShardedMap<String, ServiceView> services = ShardedMap.empty();
  private ShardedMap<String, RouteView> routes = ShardedMap.empty();
  private RegistrySnapshot snapshot = RegistrySnapshot.EMPTY;

  /** The snapshot of the last commit. */
  RegistrySnapshot snapshot() {
    return snapshot;
  }

  /** The stored instance, or null. */
  Instance get(String service, String instanceId) {
    TreeMap<String, Instance> instances = instancesByService.get(service);
    return instances == null ? null : instances.get(instanceId);
  }

  /** How many instances are stored with {@code health}. */
  int count(HealthStatus health) {
    return healthCounts.getOrDefault(health, 0);
  }

  /**
   * Stores {@code instance}, replacing the one with the same service and instance id.
   *
   * @return whether the stored state changed
   */
  boolean put(Instance instance) {
    String service = instance.getService();
    TreeMap<String, Instance> instances =
        instancesByService.computeIfAbsent(service, s -> new TreeMap<>());
    Instance old = instances.put(instance.getInstanceId(), instance);
    if (instance.equals(old)) {
      return false;
    }
    dirtyServices.add(service);
    if (old != null) {
      countHealth(old.getHealth(), -1);
      countRoutes(old, -1);
    }
    countHealth(instance.getHealth(), +1);
    countRoutes(instance, +1);
    return true;
  }

  /** Removes an instance; returns it, or null if there was none. */
  Instance remove(String service, String instanceId) {
    TreeMap<String, Instance> instances = instancesByService.get(service);
    Instance old = instances == null ? null : instances.remove(instanceId);
    if (old == null) {
      return null;
    }
    if (instances.isEmpty()) {
      instancesByService.remove(service);
    }
    dirtyServices.add(service);
    countHealth(old.getHealth(), -1);
    countRoutes(old, -1);
    return old;
  }

  /**
   * Publishes what changed since the last commit as the next revision.
   *
   * @return the change, or null when no view changed (the revision stays)
   */
  RegistryChange commit() {
    Map<String, List<Instance>> changedServices = new HashMap<>();
    for (String service : dirtyServices) {
      TreeMap<String, Instance> instances = instancesByService.get(service);
      List<Instance> list = instances == null ? List.of() : List.copyOf(instances.values());
      if (!list.equals(snapshot.service(service).instances())) {
        changedServices.put(service, list);
      }
    }
    Map<String, List<String>> changedRoutes = new HashMap<>();
    for (String grpcService : dirtyRoutes) {
      TreeMap<String, Integer> serving = routeServices.get(grpcService);
      List<String> list = serving == null ? List.of() : List.copyOf(serving.keySet());
      if (!list.equals(snapshot.route(grpcService).services())) {
        changedRoutes.put(grpcService, list);
      }
    }
    dirtyServices.clear();
    dirtyRoutes.clear();
    if (changedServices.isEmpty() && changedRoutes.isEmpty()) {
      return null;
    }
    long revision = snapshot.revision() + 1;
    changedServices.forEach(
        (name, list) ->
            services =
                list.isEmpty()
                    ? services.without(name)
                    : services.with(name, new ServiceView(name, revision, list)));
    changedRoutes.forEach(
        (name, list) ->
            routes =
                list.isEmpty()
                    ? routes.without(name)
                    : routes.with(name, new RouteView(name, revision, list)));
    snapshot = new RegistrySnapshot(revision, services, routes);
    return new RegistryChange(snapshot, changedServices.keySet(), changedRoutes.keySet());
  }

  private void countHealth(HealthStatus health, int delta) {
    healthCounts.merge(health, delta, Integer::sum);
  }

  private void countRoutes(Instance instance, int delta) {
    String service = instance.getService();
    for (String grpcService : instance.getGrpcServicesList()) {
      TreeMap<String, Integer> serving =
          routeServices.computeIfAbsent(grpcService, g -> new TreeMap<>());
      int count = serving.getOrDefault(service, 0) + delta;
      if (count == 0) {
        serving.remove(service);
        dirtyRoutes.add(grpcService);
        if (serving.isEmpty()) {
          routeServices.remove(grpcService);
        }
      } else {
        if (count == delta) {
          dirtyRoutes.add(grpcService);
        }
        serving.put(service, count);
      }
    }
  }
}
