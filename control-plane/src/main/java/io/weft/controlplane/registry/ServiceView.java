package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;

import io.weft.mesh.v1.Instance;
import java.util.List;

/**
 * The whole endpoint set of one mesh service at one registry revision. Immutable.
 *
 * @param name the mesh service name
 * @param revision the registry revision at which this service last changed; 0 for a service that
 *     has never had an instance
 * @param instances every registered instance, in any health state, sorted by instance id
 */
public record ServiceView(String name, long revision, List<Instance> instances) {

  public ServiceView {
    requireNonNull(name, "name");
    instances = List.copyOf(instances);
  }

  /** A service with no instances. */
  public static ServiceView empty(String name, long revision) {
    return new ServiceView(name, revision, List.of());
  }
}
