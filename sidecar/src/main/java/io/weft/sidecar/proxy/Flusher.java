package io.weft.sidecar.proxy;

import io.grpc.netty.shaded.io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;

/**
 * Flushes the frame relay's connections of one event loop once per batch of work rather than once
 * per frame: a read from a socket (everything it relays to other connections is flushed when the
 * read completes) or a task the relay runs on the loop. Writes made outside a batch (a write
 * completing on another connection returns flow-control credit, say) are flushed by a task queued
 * on the loop. Confined to its event loop's thread.
 */
final class Flusher {

  private static final FastThreadLocal<Flusher> LOOP_FLUSHER = new FastThreadLocal<>() {
    @Override
    protected Flusher initialValue() {
      return new Flusher();
    }
  };

  private final ArrayDeque<FrameConnection> written = new ArrayDeque<>();
  private int depth;
  private boolean flushQueued;

  private Flusher() {}

  /** The flusher of the calling event loop thread. */
  static Flusher current() {
    return LOOP_FLUSHER.get();
  }

  /** Starts a batch; writes are flushed when the outermost batch ends. */
  void begin() {
    depth++;
  }

  /** Ends a batch; the outermost flushes every connection written to. */
  void end() {
    if (--depth == 0) {
      flushAll();
    }
  }

  /** Runs {@code task} as one batch. */
  void run(Runnable task) {
    begin();
    try {
      task.run();
    } finally {
      end();
    }
  }

  /** Notes that {@code connection} has frames to flush. */
  void written(FrameConnection connection) {
    if (connection.markWritten()) {
      written.add(connection);
    }
    if (depth == 0 && !flushQueued) {
      flushQueued = true;
      connection.eventLoop().execute(() -> {
        flushQueued = false;
        run(() -> {});
      });
    }
  }

  private void flushAll() {
    depth++;
    try {
      FrameConnection next;
      while ((next = written.poll()) != null) {
        next.flushWritten();
      }
    } finally {
      depth--;
    }
  }
}
