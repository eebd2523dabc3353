package io.weft.sidecar.proxy;

import io.grpc.netty.shaded.io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flushes the frame relay's connections of one event loop once per batch of work rather than once
 * per frame: a read from a socket (everything it relays to other connections is flushed when the
 * read completes) or a task the relay runs on the loop. Writes made outside a batch (a write
 * completing on another connection returns flow-control credit, say) are flushed by a task queued
 * on the loop. Bookkeeping that need not delay a batch's frames (a call's metrics, its balancer's
 * stream tracer) runs right after they are flushed. Confined to its event loop's thread.
 */
final class Flusher {

  private static final Logger logger = LoggerFactory.getLogger(Flusher.class);

  private static final FastThreadLocal<Flusher> LOOP_FLUSHER = new FastThreadLocal<>() {
    @Override
    protected Flusher initialValue() {
      return new Flusher();
    }
  };

  private final ArrayDeque<FrameConnection> written = new ArrayDeque<>();
  private final ArrayDeque<Runnable> afterFlush = new ArrayDeque<>();
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

  /**
   * Runs {@code task} once the frames written in this batch are flushed (at once outside a
   * batch); frames the task writes are flushed too.
   */
  void afterFlush(Runnable task) {
    if (depth == 0) {
      run(task);
    } else {
      afterFlush.add(task);
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
      do {
        FrameConnection next;
        while ((next = written.poll()) != null) {
          next.flushWritten();
        }
        Runnable task;
        while ((task = afterFlush.poll()) != null) {
          runAfterFlush(task);
        }
      } while (!written.isEmpty());
    } finally {
      depth--;
    }
  }

  private static void runAfterFlush(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      logger.error("frame relay bookkeeping after a flush failed", e);
    }
  }
}
