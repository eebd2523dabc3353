package io.weft.sidecar.proxy;

import java.util.concurrent.CompletableFuture;

/** Counts calls in progress and tells when the count reaches zero. */
final class InFlightCalls {

  private int count;
  private CompletableFuture<Void> idle = CompletableFuture.completedFuture(null);

  synchronized void increment() {
    if (count++ == 0) {
      idle = new CompletableFuture<>();
    }
  }

  void decrement() {
    CompletableFuture<Void> nowIdle = null;
    synchronized (this) {
      if (count == 0) {
        throw new IllegalStateException("in-flight count: 0 (expected: > 0 before a decrement)");
      }
      if (--count == 0) {
        nowIdle = idle;
      }
    }
    if (nowIdle != null) {
      nowIdle.complete(null);
    }
  }

  synchronized int count() {
    return count;
  }

  /** Completes when no call is in progress (at once if none is now). */
  synchronized CompletableFuture<Void> whenIdle() {
    return idle.copy();
  }
}
