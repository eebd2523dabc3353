package io.weft.controlplane.registration;

import io.weft.controlplane.registry.PropagationTracker;
import io.weft.mesh.v1.DrainConfirmation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A tracker whose waits the test completes by hand. */
final class FakePropagationTracker implements PropagationTracker {

  /** One wait the service asked for. */
  static final class Wait {
    final String service;
    final long revision;
    final Duration bound;
    private final Consumer<DrainConfirmation> callback;
    volatile boolean cancelled;

    Wait(String service, long revision, Duration bound, Consumer<DrainConfirmation> callback) {
      this.service = service;
      this.revision = revision;
      this.bound = bound;
      this.callback = callback;
    }

    /** Completes the wait as the discovery server would, unless it was cancelled. */
    void complete(DrainConfirmation confirmation) {
      if (!cancelled) {
        callback.accept(confirmation);
      }
    }
  }

  final List<Wait> waits = new CopyOnWriteArrayList<>();

  @Override
  public Cancellable whenAcknowledged(
      String service, long revision, Duration bound, Consumer<DrainConfirmation> callback) {
    Wait wait = new Wait(service, revision, bound, callback);
    waits.add(wait);
    return () -> wait.cancelled = true;
  }
}
