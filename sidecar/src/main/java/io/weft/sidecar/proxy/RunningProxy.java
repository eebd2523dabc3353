package io.weft.sidecar.proxy;

import java.time.Duration;

/** A proxy's listening server, whichever way it forwards calls: its port and its shutdown. */
interface RunningProxy {

  /** The port it listens on. */
  int port();

  /** Stops accepting new calls; calls in progress go on. */
  void shutdown();

  /** Ends every call and connection now. */
  void shutdownNow();

  /** Waits at most {@code timeout} for every call and connection to end after a shutdown. */
  boolean awaitTermination(Duration timeout) throws InterruptedException;

  /** Whether every call and connection has ended after a shutdown. */
  boolean isTerminated();
}
