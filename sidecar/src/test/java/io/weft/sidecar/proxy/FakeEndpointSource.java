package io.weft.sidecar.proxy;

import io.grpc.Status;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.ServiceEndpoints;
import io.weft.sidecar.discovery.EndpointSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link EndpointSource} the test drives: it answers a new watcher at once (on the watching
 * thread) with what it holds, and every watcher of a name when the test changes the name. Counts
 * the watches opened and closed per name.
 */
final class FakeEndpointSource implements EndpointSource {

  private final Map<String, ServiceEndpoints> services = new HashMap<>();
  private final Map<String, GrpcRoute> routes = new HashMap<>();
  private final Map<String, List<Watcher<ServiceEndpoints>>> serviceWatchers = new HashMap<>();
  private final Map<String, List<Watcher<GrpcRoute>>> routeWatchers = new HashMap<>();
  private final List<String> opened = new CopyOnWriteArrayList<>();
  private final List<String> closed = new CopyOnWriteArrayList<>();

  /** Sets mesh service {@code name} to {@code instances} instances named name-1, name-2... */
  void setService(String name, int instances) {
    List<Instance> all = new ArrayList<>();
    for (int i = 1; i <= instances; i++) {
      all.add(
          Instance.newBuilder()
              .setService(name)
              .setInstanceId(name + "-" + i)
              .setAddress("127.0.0.1")
              .setPort(1)
              .build());
    }
    setService(name, all);
  }

  /** Sets mesh service {@code name} to {@code instances}. */
  void setService(String name, List<Instance> instances) {
    ServiceEndpoints update =
        ServiceEndpoints.newBuilder().setService(name).addAllInstances(instances).build();
    List<Watcher<ServiceEndpoints>> toCall;
    synchronized (this) {
      services.put(name, update);
      toCall = new ArrayList<>(serviceWatchers.getOrDefault(name, List.of()));
    }
    toCall.forEach(watcher -> watcher.onUpdate(update));
  }

  /** Sets the route of {@code grpcService} to the given mesh services. */
  void setRoute(String grpcService, String... meshServices) {
    GrpcRoute update =
        GrpcRoute.newBuilder()
            .setGrpcService(grpcService)
            .addAllServices(List.of(meshServices))
            .build();
    List<Watcher<GrpcRoute>> toCall;
    synchronized (this) {
      routes.put(grpcService, update);
      toCall = new ArrayList<>(routeWatchers.getOrDefault(grpcService, List.of()));
    }
    toCall.forEach(watcher -> watcher.onUpdate(update));
  }

  /** Sends {@code status} to every watcher of route {@code grpcService}. */
  void failRoute(String grpcService, Status status) {
    List<Watcher<GrpcRoute>> toCall;
    synchronized (this) {
      toCall = new ArrayList<>(routeWatchers.getOrDefault(grpcService, List.of()));
    }
    toCall.forEach(watcher -> watcher.onError(status));
  }

  /** Names whose watch was opened, in order ("service:x" or "route:y"). */
  List<String> opened() {
    return List.copyOf(opened);
  }

  /** Names whose watch was closed, in order. */
  List<String> closed() {
    return List.copyOf(closed);
  }

  @Override
  public Watch watchService(String service, Watcher<ServiceEndpoints> watcher) {
    ServiceEndpoints known;
    synchronized (this) {
      serviceWatchers.computeIfAbsent(service, k -> new ArrayList<>()).add(watcher);
      known = services.get(service);
    }
    opened.add("service:" + service);
    if (known != null) {
      watcher.onUpdate(known);
    }
    return () -> {
      synchronized (this) {
        serviceWatchers.get(service).remove(watcher);
      }
      closed.add("service:" + service);
    };
  }

  @Override
  public Watch watchRoute(String grpcService, Watcher<GrpcRoute> watcher) {
    GrpcRoute known;
    synchronized (this) {
      routeWatchers.computeIfAbsent(grpcService, k -> new ArrayList<>()).add(watcher);
      known = routes.get(grpcService);
    }
    opened.add("route:" + grpcService);
    if (known != null) {
      watcher.onUpdate(known);
    }
    return () -> {
      synchronized (this) {
        routeWatchers.get(grpcService).remove(watcher);
      }
      closed.add("route:" + grpcService);
    };
  }
}
