package io.weft.sidecar;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A light load: Echo calls in a loop on its own thread, one at a time, until closed. */
final class CallLoad implements AutoCloseable {

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger succeeded = new AtomicInteger();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final Thread thread;

  CallLoad(Channel channel) {
    thread = new Thread(() -> {
      while (running.get()) {
        try {
          TestMesh.call(channel);
          succeeded.incrementAndGet();
        } catch (StatusRuntimeException e) {
          failures.add(e.getStatus().toString());
        }
      }
    }, "call-load");
    thread.start();
  }

  /** Calls that succeeded so far. */
  int succeeded() {
    return succeeded.get();
  }

  /** The status of every failed call so far. */
  List<String> failures() {
    return List.copyOf(failures);
  }

  /** Stops after the call in progress. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }
}
