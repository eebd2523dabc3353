package io.weft.controlplane.discovery;

import io.weft.controlplane.registry.RegistryChange;
import io.weft.controlplane.registry.RegistryListener;
import io.weft.controlplane.registry.RegistrySnapshot;
import io.weft.controlplane.registry.RouteView;
import io.weft.controlplane.registry.ServiceView;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test-only stand-in for the registry: keeps instances, bumps the revision on every change,
 * builds {@link RegistrySnapshot}s and calls its listeners with {@link RegistryChange}s on the
 * caller's thread, as the real registry does (in order, outside its lock).
 */
final class FakeRegistry {

  private final Map<String, TreeMap<String, Instance>> instances = new TreeMap<>();
  private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();
  private RegistrySnapshot snapshot = RegistrySnapshot.EMPTY;

  /** An instance of {@code service} with sensible defaults and the given gRPC services. */
  static Instance instance(String service, String id, String... grpcServices) {
    return Instance.newBuilder()
        .setService(service)
        .setInstanceId(id)
        .setAddress("10.0.0.1")
        .setPort(8080)
        .setWeight(100)
        .setHealth(HealthStatus.SERVING)
        .addAllGrpcServices(List.of(grpcServices))
        .build();
  }

  synchronized RegistrySnapshot snapshot() {
    return snapshot;
  }

  void addListener(RegistryListener listener) {
    listeners.add(listener);
  }

  /** Registers (or replaces) an instance; returns the new revision. */
  long register(Instance instance) {
    RegistryChange change;
    synchronized (this) {
      instances
          .computeIfAbsent(instance.getService(), s -> new TreeMap<>())
          .put(instance.getInstanceId(), instance);
      change = publish(instance.getService());
    }
    listeners.forEach(listener -> listener.onChange(change));
    return change.revision();
  }

  /** Removes an instance; returns the new revision. */
  long remove(String service, String instanceId) {
    RegistryChange change;
    synchronized (this) {
      TreeMap<String, Instance> byId = instances.get(service);
      if (byId == null || byId.remove(instanceId) == null) {
        throw new IllegalArgumentException("no instance " + service + "/" + instanceId);
      }
      if (byId.isEmpty()) {
        instances.remove(service);
      }
      change = publish(service);
    }
    listeners.forEach(listener -> listener.onChange(change));
    return change.revision();
  }

  private RegistryChange publish(String changedService) {
    long revision = snapshot.revision() + 1;
    Map<String, ServiceView> services = new HashMap<>(snapshot.services());
    TreeMap<String, Instance> byId = instances.get(changedService);
    if (byId == null) {
      services.remove(changedService);
    } else {
      services.put(
          changedService, new ServiceView(changedService, revision, List.copyOf(byId.values())));
    }
    Map<String, Set<String>> servedBy = new HashMap<>();
    instances.forEach(
        (service, ids) ->
            ids.values()
                .forEach(
                    instance ->
                        instance
                            .getGrpcServicesList()
                            .forEach(
                                grpc ->
                                    servedBy
                                        .computeIfAbsent(grpc, g -> new TreeSet<>())
                                        .add(service))));
    Map<String, RouteView> routes = new HashMap<>();
    Set<String> changedRoutes = new HashSet<>();
    servedBy.forEach(
        (grpc, serviceNames) -> {
          List<String> sorted = new ArrayList<>(serviceNames);
          RouteView old = snapshot.routes().get(grpc);
          if (old != null && old.services().equals(sorted)) {
            routes.put(grpc, old);
          } else {
            routes.put(grpc, new RouteView(grpc, revision, sorted));
            changedRoutes.add(grpc);
          }
        });
    for (String grpc : snapshot.routes().keySet()) {
      if (!routes.containsKey(grpc)) {
        changedRoutes.add(grpc);
      }
    }
    snapshot = new RegistrySnapshot(revision, Map.copyOf(services), Map.copyOf(routes));
    return new RegistryChange(snapshot, Set.of(changedService), changedRoutes);
  }
}
