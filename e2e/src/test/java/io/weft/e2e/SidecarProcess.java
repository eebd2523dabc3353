package io.weft.e2e;

import static org.awaitility.Awaitility.await;

import io.weft.sidecar.SidecarMain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * A sidecar ({@link SidecarMain}) in its own JVM, every port picked free: {@link #launch} starts
 * it and returns at once (so that a mesh starts its sidecars side by side), {@link #awaitReady}
 * reads the ports from its ready line.
 */
final class SidecarProcess implements AutoCloseable {

  static final Duration BOUND = Duration.ofSeconds(60);
  private static final String READY = "^weft sidecar (\\S+) ready to serve: outbound=\\S+:(\\d+)"
      + " inbound=(\\S+) admin=\\S+:(\\d+)$";

  private final MeshProcess process;
  private int outboundPort;
  private int adminPort;

  private SidecarProcess(MeshProcess process) {
    this.process = process;
  }

  /**
   * Starts the sidecar of instance {@code instanceId} of mesh service {@code service}, whose app
   * listens on 127.0.0.1:{@code appPort}; {@code extraArgs} are added to the command line.
   */
  static SidecarProcess launchForApp(String service, String instanceId, int appPort,
      ControlPlaneProcess controlPlane, List<String> extraArgs) {
    List<String> args = new ArrayList<>(List.of(
        "--service", service, "--instance-id", instanceId,
        "--app-port", Integer.toString(appPort), "--advertise-address", "127.0.0.1",
        "--inbound-port", "0"));
    args.addAll(extraArgs);
    return launch("sidecar-" + instanceId, controlPlane, args);
  }

  /** Starts the sidecar of a pure client (no app to register), named {@code client-1}. */
  static SidecarProcess launchForClient(ControlPlaneProcess controlPlane) {
    return launch("sidecar-client", controlPlane,
        List.of("--service", "client", "--instance-id", "client-1"));
  }

  private static SidecarProcess launch(
      String name, ControlPlaneProcess controlPlane, List<String> args) {
    List<String> all = new ArrayList<>(List.of("--control-plane", controlPlane.target(),
        "--outbound-port", "0", "--admin-port", "0"));
    all.addAll(args);
    return new SidecarProcess(MeshProcess.start(name, SidecarMain.class, all));
  }

  /** Waits for the ready line, reads the ports, and waits until {@code /ready} answers 200. */
  SidecarProcess awaitReady() {
    Matcher ready = process.awaitLine(READY, BOUND);
    outboundPort = Integer.parseInt(ready.group(2));
    adminPort = Integer.parseInt(ready.group(4));
    AdminHttp admin = admin();
    await().atMost(BOUND).until(() -> admin.status("/ready") == 200);
    return this;
  }

  /** The port of the outbound proxy (after {@link #awaitReady}). */
  int outboundPort() {
    return outboundPort;
  }

  /** The admin server (after {@link #awaitReady}). */
  AdminHttp admin() {
    return new AdminHttp(adminPort);
  }

  /** The process, for its output. */
  MeshProcess process() {
    return process;
  }

  /** Sends SIGTERM: the sidecar drains and exits. */
  void terminate() {
    process.terminate();
  }

  /** Waits for the exit and returns the exit code. */
  int awaitExit(Duration bound) {
    return process.awaitExit(bound);
  }

  /** Kills it (SIGKILL) if still running. */
  @Override
  public void close() {
    process.close();
  }
}
