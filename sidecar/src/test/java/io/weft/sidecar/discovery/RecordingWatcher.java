package io.weft.sidecar.discovery;

import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A watcher that records every call, for tests; safe to read from the test thread. */
final class RecordingWatcher<T> implements EndpointSource.Watcher<T> {

  final List<T> updates = new CopyOnWriteArrayList<>();
  final List<Status> errors = new CopyOnWriteArrayList<>();

  @Override
  public void onUpdate(T resource) {
    updates.add(resource);
  }

  @Override
  public void onError(Status status) {
    errors.add(status);
  }

  /** Waits until {@code count} updates have arrived and returns the last. */
  T awaitUpdates(int count) {
    await().atMost(Duration.ofSeconds(20)).until(() -> updates.size() >= count);
    return updates.get(updates.size() - 1);
  }

  /** Waits until {@code count} errors have arrived and returns the last. */
  Status awaitErrors(int count) {
    await().atMost(Duration.ofSeconds(20)).until(() -> errors.size() >= count);
    return errors.get(errors.size() - 1);
  }
}
