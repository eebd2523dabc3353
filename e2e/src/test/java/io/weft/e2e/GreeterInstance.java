package io.weft.e2e;

import io.weft.demo.GreeterServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One instance of the mesh service {@value GreeterMesh#SERVICE}: a {@link GreeterServer} in the
 * test JVM on 127.0.0.1 port 0 (so a test can flip its health or stop it) and its sidecar process.
 */
final class GreeterInstance implements AutoCloseable {

  private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

  private final GreeterServer app;
  private final SidecarProcess sidecar;

  private GreeterInstance(GreeterServer app, SidecarProcess sidecar) {
    this.app = app;
    this.sidecar = sidecar;
  }

  /**
   * Starts the greeter {@code id} and launches its sidecar; returns without waiting for the
   * sidecar (see {@link #awaitReady}).
   */
  static GreeterInstance launch(
      String id, ControlPlaneProcess controlPlane, ScheduledExecutorService scheduler) {
    GreeterServer app = new GreeterServer("127.0.0.1", 0, id, scheduler);
    try {
      app.start();
    } catch (IOException e) {
      throw new UncheckedIOException("greeter " + id + " cannot start", e);
    }
    try {
      return new GreeterInstance(app, SidecarProcess.launchForApp(
          GreeterMesh.SERVICE, id, app.port(), controlPlane, List.of()));
    } catch (RuntimeException e) {
      stopApp(app, Duration.ZERO);
      throw e;
    }
  }

  /** Waits until the sidecar is ready (registered and subscribed). */
  GreeterInstance awaitReady() {
    sidecar.awaitReady();
    return this;
  }

  /** The greeter app, in this JVM. */
  GreeterServer app() {
    return app;
  }

  SidecarProcess sidecar() {
    return sidecar;
  }

  /** Stops the app gracefully, cancelling calls still running after {@code grace}. */
  void stopApp(Duration grace) {
    stopApp(app, grace);
  }

  private static void stopApp(GreeterServer app, Duration grace) {
    try {
      app.shutdown(grace);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills the sidecar, then stops the app, cancelling what still runs after a short grace. */
  @Override
  public void close() {
    try {
      sidecar.close();
    } finally {
      stopApp(CLOSE_GRACE);
    }
  }
}
