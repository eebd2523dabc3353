package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One lease as the admin views show it. Immutable.
 *
 * @param leaseId the lease id
 * @param service the instance's service
 * @param instanceId the instance's id
 * @param nodeId the node (sidecar) holding the lease
 * @param ttl the TTL granted
 * @param timeLeft until expiry when {@code ACTIVE}, until removal when {@code DRAINING}, zero when
 *     {@code EXPIRY_SUSPENDED}
 * @param state the lease's state
 */
public record LeaseView(
    String leaseId,
    String service,
    String instanceId,
    String nodeId,
    Duration ttl,
    Duration timeLeft,
    State state) {

  /** A lease's state. */
  public enum State {
    /** Renewed within its TTL. */
    ACTIVE,
    /** Deregistered; its instance is removed when the drain grace passes. */
    DRAINING,
    /** Overdue, but kept because self-preservation suspended expiry. */
    EXPIRY_SUSPENDED
  }

  public LeaseView {
    requireNonNull(leaseId, "leaseId");
    requireNonNull(service, "service");
    requireNonNull(instanceId, "instanceId");
    requireNonNull(nodeId, "nodeId");
    requireNonNull(ttl, "ttl");
    requireNonNull(timeLeft, "timeLeft");
    requireNonNull(state, "state");
  }
}
