package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * The registry's whole state at one revision. Immutable; safe to share across threads.
 *
 * <p>Services and routes with nothing in them are absent from the maps; {@link #service} and
 * {@link #route} answer them with an empty view.
 *
 * @param revision the registry revision; every change increments it by one
 * @param services every service with at least one instance, by name
 * @param routes every gRPC service served by at least one instance, by gRPC service name
 */
public record RegistrySnapshot(
    long revision, Map<String, ServiceView> services, Map<String, RouteView> routes) {

  /** The snapshot of a registry that has never held anything. */
  public static final RegistrySnapshot EMPTY = new RegistrySnapshot(0, Map.of(), Map.of());

  public RegistrySnapshot {
    requireNonNull(services, "services");
    requireNonNull(routes, "routes");
  }

  /** The named service, or an empty view with revision 0 when it has no instances. */
  public ServiceView service(String name) {
    ServiceView view = services.get(name);
    return view != null ? view : ServiceView.empty(name, 0);
  }

  /** The named route, or an empty view with revision 0 when nothing serves it. */
  public RouteView route(String grpcService) {
    RouteView view = routes.get(grpcService);
    return view != null ? view : RouteView.empty(grpcService, 0);
  }
}
