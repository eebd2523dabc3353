package io.weft.sidecar.discovery;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open watch of one resource: delivers updates and errors to its watcher until closed, and
 * keeps a watcher that throws from breaking its caller.
 */
final class WatchHandle<T> implements EndpointSource.Watch {

  private static final Logger logger = LoggerFactory.getLogger(WatchHandle.class);

  private final ResourceKind kind;
  private final String name;
  private final EndpointSource.Watcher<T> watcher;
  private final Consumer<WatchHandle<T>> onClose;
  private final AtomicBoolean closed = new AtomicBoolean();

  WatchHandle(
      ResourceKind kind,
      String name,
      EndpointSource.Watcher<T> watcher,
      Consumer<WatchHandle<T>> onClose) {
    this.kind = requireNonNull(kind, "kind");
    this.name = requireNonNull(name, "name");
    this.watcher = requireNonNull(watcher, "watcher");
    this.onClose = requireNonNull(onClose, "onClose");
  }

  /** The watched resource's name. */
  String name() {
    return name;
  }

  /** Stops the calls at once; the book-keeping follows through {@code onClose}. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      onClose.accept(this);
    }
  }

  /** Calls {@code onUpdate} unless the watch is closed. */
  void deliverUpdate(T resource) {
    if (closed.get()) {
      return;
    }
    try {
      watcher.onUpdate(resource);
    } catch (Throwable t) {
      logger.warn("{} {}: watcher {} threw on update; ignored", kind.label(), name, watcher, t);
    }
  }

  /** Calls {@code onError} unless the watch is closed. */
  void deliverError(Status status) {
    if (closed.get()) {
      return;
    }
    try {
      watcher.onError(status);
    } catch (Throwable t) {
      logger.warn("{} {}: watcher {} threw on error; ignored", kind.label(), name, watcher, t);
    }
  }
}
