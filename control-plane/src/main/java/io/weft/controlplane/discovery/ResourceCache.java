package io.weft.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.weft.controlplane.registry.RegistryChange;
import io.weft.controlplane.registry.RegistrySnapshot;
import io.weft.controlplane.registry.RouteView;
import io.weft.controlplane.registry.ServiceView;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.ServiceEndpoints;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The latest registry snapshot and the resource messages built from it. Each
 * {@link ServiceEndpoints} and {@link GrpcRoute} is built once per revision and shared by every
 * stream that sends it. Thread-safe.
 *
 * <p>A service or route that loses its last member is remembered as an empty resource carrying
 * the revision of that change, so that the explicit empty set says when it became empty.
 */
final class ResourceCache {

  private final AtomicReference<RegistrySnapshot> latest;
  private final ConcurrentHashMap<String, ServiceEndpoints> services = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, GrpcRoute> routes = new ConcurrentHashMap<>();

  ResourceCache(RegistrySnapshot initial) {
    latest = new AtomicReference<>(requireNonNull(initial, "initial"));
  }

  /** The newest snapshot seen. */
  RegistrySnapshot latest() {
    return latest.get();
  }

  /**
   * Takes in a change: remembers the emptied resources, then makes its snapshot the latest (a
   * snapshot older than the latest one is ignored). Costs O(changed names).
   */
  void accept(RegistryChange change) {
    RegistrySnapshot snapshot = change.snapshot();
    for (String name : change.changedServices()) {
      if (!snapshot.services().containsKey(name)) {
        keepNewer(services, name, emptyService(name, snapshot.revision()));
      }
    }
    for (String name : change.changedRoutes()) {
      if (!snapshot.routes().containsKey(name)) {
        keepNewer(routes, name, emptyRoute(name, snapshot.revision()));
      }
    }
    latest.accumulateAndGet(
        snapshot, (current, next) -> next.revision() > current.revision() ? next : current);
  }

  /** The endpoints of {@code name} in {@code snapshot}, an explicit empty set if it has none. */
  ServiceEndpoints service(RegistrySnapshot snapshot, String name) {
    ServiceView view = snapshot.services().get(name);
    ServiceEndpoints cached = services.get(name);
    if (view == null) {
      return cached != null && cached.getInstancesCount() == 0 ? cached : emptyService(name, 0);
    }
    if (cached != null && cached.getRevision() == view.revision()
        && cached.getInstancesCount() > 0) {
      return cached;
    }
    ServiceEndpoints built =
        ServiceEndpoints.newBuilder()
            .setService(name)
            .setRevision(view.revision())
            .addAllInstances(view.instances())
            .build();
    keepNewer(services, name, built);
    return built;
  }

  /** The route of {@code grpcService} in {@code snapshot}, an explicit empty one if unserved. */
  GrpcRoute route(RegistrySnapshot snapshot, String grpcService) {
    RouteView view = snapshot.routes().get(grpcService);
    GrpcRoute cached = routes.get(grpcService);
    if (view == null) {
      return cached != null && cached.getServicesCount() == 0
          ? cached
          : emptyRoute(grpcService, 0);
    }
    if (cached != null && cached.getRevision() == view.revision()
        && cached.getServicesCount() > 0) {
      return cached;
    }
    GrpcRoute built =
        GrpcRoute.newBuilder()
            .setGrpcService(grpcService)
            .setRevision(view.revision())
            .addAllServices(view.services())
            .build();
    keepNewer(routes, grpcService, built);
    return built;
  }

  private static ServiceEndpoints emptyService(String name, long revision) {
    return ServiceEndpoints.newBuilder().setService(name).setRevision(revision).build();
  }

  private static GrpcRoute emptyRoute(String grpcService, long revision) {
    return GrpcRoute.newBuilder().setGrpcService(grpcService).setRevision(revision).build();
  }

  private static void keepNewer(
      ConcurrentHashMap<String, ServiceEndpoints> map, String name, ServiceEndpoints value) {
    map.merge(name, value, (old, neu) -> neu.getRevision() >= old.getRevision() ? neu : old);
  }

  private static void keepNewer(
      ConcurrentHashMap<String, GrpcRoute> map, String name, GrpcRoute value) {
    map.merge(name, value, (old, neu) -> neu.getRevision() >= old.getRevision() ? neu : old);
  }
}
