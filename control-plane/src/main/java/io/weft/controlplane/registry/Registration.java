package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;

import io.weft.mesh.v1.Instance;
import java.time.Duration;

/**
 * The result of {@link Registry#register}.
 *
 * @param leaseId the lease, kept when the same node registers the instance again
 * @param leaseTtl the TTL granted
 * @param revision the registry revision after the registration (unchanged when it changed
 *     nothing)
 * @param instance the instance as stored, defaults applied
 */
public record Registration(String leaseId, Duration leaseTtl, long revision, Instance instance) {

  public Registration {
    requireNonNull(leaseId, "leaseId");
    requireNonNull(leaseTtl, "leaseTtl");
    requireNonNull(instance, "instance");
  }
}
