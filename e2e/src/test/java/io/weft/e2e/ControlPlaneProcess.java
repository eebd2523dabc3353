package io.weft.e2e;

import io.weft.controlplane.ControlPlaneMain;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;

/**
 * The control plane ({@link ControlPlaneMain}) in its own JVM on 127.0.0.1, with the ports its
 * listening line names.
 */
final class ControlPlaneProcess implements AutoCloseable {

  static final Duration START_BOUND = Duration.ofSeconds(60);
  private static final String LISTENING =
      "^weft control plane (\\S+) listening: grpc=\\S+:(\\d+) admin=\\S+:(\\d+)$";

  private final MeshProcess process;
  private final int grpcPort;
  private final int adminPort;

  private ControlPlaneProcess(MeshProcess process, int grpcPort, int adminPort) {
    this.process = process;
    this.grpcPort = grpcPort;
    this.adminPort = adminPort;
  }

  /**
   * Starts a control plane with id {@code id} on {@code grpcPort} (0 picks a free one; a restart
   * passes the port of the first incarnation) and waits until it listens.
   */
  static ControlPlaneProcess start(String id, int grpcPort) {
    MeshProcess process = MeshProcess.start(id, ControlPlaneMain.class, List.of(
        "--id", id, "--bind-address", "127.0.0.1", "--port", Integer.toString(grpcPort),
        "--admin-port", "0"));
    try {
      Matcher listening = process.awaitLine(LISTENING, START_BOUND);
      return new ControlPlaneProcess(process,
          Integer.parseInt(listening.group(2)), Integer.parseInt(listening.group(3)));
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
  }

  /** {@code host:port} of the gRPC port, for a sidecar's {@code --control-plane}. */
  String target() {
    return "127.0.0.1:" + grpcPort;
  }

  int grpcPort() {
    return grpcPort;
  }

  /** The admin HTTP server: {@code /v1/services}, {@code /v1/sidecars}. */
  AdminHttp admin() {
    return new AdminHttp(adminPort);
  }

  /** Kills it (SIGKILL), as a crash would. */
  @Override
  public void close() {
    process.close();
  }
}
