package io.weft.controlplane;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a request to stop that the main thread waits for, instead of the
 * JVM's default of exiting at once with status 143 (or 130): the main thread then closes the
 * control plane gracefully and exits 0, as Kubernetes expects of a pod that was asked to stop.
 */
final class ShutdownSignals {

  private static final Logger logger = LoggerFactory.getLogger(ShutdownSignals.class);

  private final CountDownLatch received = new CountDownLatch(1);
  private volatile String signal = "";

  private ShutdownSignals() {}

  /** Handles SIGTERM and SIGINT from now on. */
  static ShutdownSignals install() {
    ShutdownSignals signals = new ShutdownSignals();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signals::onSignal);
    }
    return signals;
  }

  /** Blocks until SIGTERM or SIGINT arrives; returns its name, such as {@code SIGTERM}. */
  String await() throws InterruptedException {
    received.await();
    return signal;
  }

  private void onSignal(Signal received) {
    signal = "SIG" + received.getName();
    logger.info("received {}: shutting down", signal);
    this.received.countDown();
  }
}
