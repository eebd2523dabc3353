package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The result of {@link Registry#renew}.
 *
 * @param outcome what the renewal found
 * @param timeLeft with {@code RENEWED}, the lease's TTL; with {@code DRAINING}, the time until the
 *     instance is removed; otherwise zero
 * @param service the lease's service, or empty when {@code NOT_FOUND}
 * @param instanceId the lease's instance id, or empty when {@code NOT_FOUND}
 */
public record Renewal(Outcome outcome, Duration timeLeft, String service, String instanceId) {

  /** What a renewal found. */
  public enum Outcome {
    /** The lease is active and now runs for its full TTL again. */
    RENEWED,
    /** The instance was deregistered and is DRAINING; the lease needs no renewal. */
    DRAINING,
    /** The instance was deregistered and has been removed. */
    DEREGISTERED,
    /** Another node registered the same instance; this lease is over. */
    SUPERSEDED,
    /** No such lease: it expired or was never granted. */
    NOT_FOUND
  }

  public Renewal {
    requireNonNull(outcome, "outcome");
    requireNonNull(timeLeft, "timeLeft");
    requireNonNull(service, "service");
    requireNonNull(instanceId, "instanceId");
  }
}
