package io.weft.controlplane.registry;

import io.weft.mesh.v1.DrainConfirmation;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Tells when a change to a service has reached every sidecar that subscribes to it. The discovery
 * server implements it from the ACKs it records; registration uses it to confirm a drain to the
 * draining instance's own sidecar.
 */
public interface PropagationTracker {

  /**
   * Calls {@code callback} once, when every sidecar connected now or later that subscribes to
   * {@code service} (by name or by wildcard) has ACKed a response carrying that service at
   * {@code revision} or later, or when {@code bound} has passed, whichever comes first. Sidecars
   * that disconnect stop counting. The callback runs on the tracker's executor and must not block.
   *
   * @return a handle that cancels the wait; the callback is then never called
   */
  Cancellable whenAcknowledged(
      String service, long revision, Duration bound, Consumer<DrainConfirmation> callback);

  /** A pending wait that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }
}
