package io.weft.sidecar.agent;

import static java.util.Objects.requireNonNull;

import io.weft.mesh.v1.HealthStatus;
import java.util.List;

/**
 * What the registration agent holds at one moment, for the sidecar's {@code /ready} and admin
 * views. Immutable.
 *
 * @param phase where registration stands
 * @param registered whether the agent holds a lease it believes valid (granted or renewed within
 *     its TTL, and neither lost nor superseded)
 * @param leaseId the last lease granted, or empty if none yet
 * @param reportedHealth the health last sent to the control plane, or {@code
 *     HEALTH_STATUS_UNSPECIFIED} if none yet
 * @param grpcServices the gRPC service names of the last registration
 * @param draining whether {@link RegistrationAgent#drain()} has begun
 */
public record AgentState(
    Phase phase,
    boolean registered,
    String leaseId,
    HealthStatus reportedHealth,
    List<String> grpcServices,
    boolean draining) {

  /** Where registration stands. */
  public enum Phase {
    /** Not started, or waiting for the app's first health answer. */
    STARTING,
    /** Learning the app's gRPC services and calling Register. */
    REGISTERING,
    /** Lease held, KeepAlive stream open. */
    REGISTERED,
    /** Waiting (backoff) to register again or reopen the KeepAlive stream. */
    RECONNECTING,
    /** The lease is gone during a drain; nothing left to renew. */
    LEASE_LOST,
    /** Another node registered this instance; the agent does not register again. */
    SUPERSEDED,
    /** Drained or closed. */
    STOPPED
  }

  /** Validates and copies. */
  public AgentState {
    requireNonNull(phase, "phase");
    requireNonNull(leaseId, "leaseId");
    requireNonNull(reportedHealth, "reportedHealth");
    grpcServices = List.copyOf(grpcServices);
  }

  /** True once another node took over this instance. */
  public boolean superseded() {
    return phase == Phase.SUPERSEDED;
  }
}
