package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * One registry change, as watchers see it: the state after the change and what it touched.
 *
 * @param snapshot the registry after the change; {@code snapshot.revision()} is the change's
 *     revision
 * @param changedServices names of the services whose endpoint set changed (including ones that
 *     lost their last instance)
 * @param changedRoutes gRPC service names whose set of serving mesh services changed
 */
public record RegistryChange(
    RegistrySnapshot snapshot, Set<String> changedServices, Set<String> changedRoutes) {

  public RegistryChange {
    requireNonNull(snapshot, "snapshot");
    changedServices = Set.copyOf(changedServices);
    changedRoutes = Set.copyOf(changedRoutes);
  }

  /** The revision of this change. */
  public long revision() {
    return snapshot.revision();
  }
}
