package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;

import io.weft.mesh.v1.Instance;
import java.util.Optional;

/**
 * The result of {@link Registry#deregister}.
 *
 * @param service the instance's service
 * @param instanceId the instance's id
 * @param revision the revision at which the instance stopped being pickable: when it turned
 *     DRAINING, or when it was removed if this call removed it; a propagation tracker waits for
 *     this revision
 * @param instance the instance as stored now (health DRAINING), or empty if it is removed
 */
public record Deregistration(
    String service, String instanceId, long revision, Optional<Instance> instance) {

  public Deregistration {
    requireNonNull(service, "service");
    requireNonNull(instanceId, "instanceId");
    requireNonNull(instance, "instance");
  }
}
