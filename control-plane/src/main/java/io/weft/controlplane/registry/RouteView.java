package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Which mesh services serve one gRPC service, at one registry revision. Immutable.
 *
 * @param grpcService the fully qualified gRPC service name, such as {@code helloworld.Greeter}
 * @param revision the registry revision at which this route last changed; 0 if never served
 * @param services the mesh services with at least one instance listing {@code grpcService},
 *     sorted by name
 */
public record RouteView(String grpcService, long revision, List<String> services) {

  public RouteView {
    requireNonNull(grpcService, "grpcService");
    services = List.copyOf(services);
  }

  /** A gRPC service nobody serves. */
  public static RouteView empty(String grpcService, long revision) {
    return new RouteView(grpcService, revision, List.of());
  }
}
