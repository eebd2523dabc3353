package io.weft.demo.mesh;

import static java.util.Objects.requireNonNull;

import io.weft.common.DurationConverter;
import io.weft.common.TerminationSignals;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo mesh on loopback: a control plane, three greeter instances each with its own sidecar
 * (two in zone a, one in zone b), and a load client calling through its own sidecar. It shows the
 * client's per-second table of which instance answered, and keeps running until Ctrl-C, which
 * stops every process it started.
 */
@Command(
    name = "weft-demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the weft demo mesh on loopback until Ctrl-C.",
      "Control plane on 15010 (gRPC) and 15014 (admin); the client's sidecar on 15001 (outbound)"
          + " and 15000 (admin); every other port is printed."
    })
public final class DemoMesh implements Callable<Integer> {

  /** How the demo behaves once the mesh is up. */
  enum Mode {
    /** Traffic spreads across the three instances. */
    steady,
    /** After a while greeter-2 crashes, then comes back: watch the traffic move and return. */
    failover
  }

  private static final String CONTROL_PLANE = "io.weft.controlplane.ControlPlaneMain";
  private static final String SIDECAR = "io.weft.sidecar.SidecarMain";
  private static final String GREETER = "io.weft.demo.DemoMain";
  private static final String CP_READY = "listening: grpc=[^ ]+:(\\d+) admin=[^ ]+:(\\d+)";
  private static final String SIDECAR_READY =
      "ready to serve: outbound=[^ ]+:(\\d+) inbound=(?:[^ ]+:)?(\\d+|none) admin=[^ ]+:(\\d+)";
  private static final String GREETER_READY = "listening on .*:(\\d+)$";
  private static final Duration STOP_BOUND = Duration.ofSeconds(40);

  @Option(names = "--mode", defaultValue = "steady",
      description = "steady, or failover: greeter-2 crashes after --failover-after and comes back"
          + " after as long again (default: ${DEFAULT-VALUE}).")
  Mode mode;

  @Option(names = "--failover-after", defaultValue = "10s", converter = DurationConverter.class,
      description = "In failover mode, when greeter-2 crashes (default: ${DEFAULT-VALUE}).")
  Duration failoverAfter;

  @Option(names = "--duration", defaultValue = "0", converter = DurationConverter.class,
      description = "Stop by itself after this long; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--rate", defaultValue = "20",
      description = "Client calls per second (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--client-zone", defaultValue = "",
      description = "Zone of the client's sidecar; 'a' shows zone preference (default: none).")
  String clientZone;

  @Option(names = "--ephemeral-ports",
      description = "Pick free ports for everything, also the control plane and the client's"
          + " sidecar (for tests and for running two demos at once).")
  boolean ephemeralPorts;

  @Option(names = "--log-dir", defaultValue = ".demo/logs",
      description = "Where each process writes its log (default: ${DEFAULT-VALUE}).")
  Path logDir;

  private final PrintStream out;
  // Copy-on-write: the shutdown hook walks it while the main thread may still change it.
  private final List<Participant> started = new CopyOnWriteArrayList<>();
  private final CountDownLatch stop = new CountDownLatch(1);

  /**
   * A demo that prints its messages and the client's tables to {@code out} (the end-to-end tests
   * run it in-process through picocli and read what it printed).
   */
  public DemoMesh(PrintStream out) {
    this.out = requireNonNull(out, "out");
  }

  public static void main(String[] args) {
    DemoMesh demo = new DemoMesh(System.out);
    // Here, not in call(): a demo run in-process (the end-to-end tests) leaves the JVM's signals.
    TerminationSignals.onTermination(demo.stop::countDown);
    System.exit(new CommandLine(demo).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Thread killOnExit = new Thread(() -> started.forEach(Participant::close), "demo-cleanup");
    Runtime.getRuntime().addShutdownHook(killOnExit);
    Files.createDirectories(logDir);
    long endNanos = System.nanoTime() + duration.toNanos();
    try {
      startMesh();
      if (mode == Mode.failover) {
        runFailover(endNanos);
      }
      if (duration.isZero()) {
        stop.await();
      } else {
        stop.await(endNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
      }
      return 0;
    } finally {
      stopAll();
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    }
  }

  private void startMesh() throws IOException {
    out.println("weft demo: starting the mesh (logs in " + logDir.toAbsolutePath() + ")");
    Participant cp = start("control-plane", CONTROL_PLANE, List.of(
        "--port", port(15010), "--admin-port", port(15014), "--bind-address", "127.0.0.1"),
        CP_READY, false);
    String controlPlane = "127.0.0.1:" + cp.ready(1);
    List<String> rows = new ArrayList<>();
    rows.add(row("control plane", "gRPC 127.0.0.1:" + cp.ready(1), "admin http://127.0.0.1:" + cp.ready(2)));
    for (int i = 1; i <= 3; i++) {
      String id = "greeter-" + i;
      String zone = i <= 2 ? "a" : "b";
      Participant greeter = startGreeter(id, "0");
      Participant sidecar = start("sidecar-" + id, SIDECAR, List.of(
          "--service", "greeter", "--instance-id", id, "--zone", zone,
          "--app-port", greeter.ready(1), "--advertise-address", "127.0.0.1",
          "--control-plane", controlPlane, "--outbound-port", "0", "--inbound-port", "0",
          "--admin-port", "0"), SIDECAR_READY, false);
      rows.add(row(id + " (zone " + zone + ")", "app 127.0.0.1:" + greeter.ready(1),
          "sidecar inbound 127.0.0.1:" + sidecar.ready(2) + ", admin http://127.0.0.1:" + sidecar.ready(3)));
    }
    List<String> clientSidecarArgs = new ArrayList<>(List.of(
        "--service", "greeter-client", "--instance-id", "client-1", "--control-plane", controlPlane,
        "--outbound-port", port(15001), "--admin-port", port(15000)));
    if (!clientZone.isEmpty()) {
      clientSidecarArgs.addAll(List.of("--zone", clientZone));
    }
    Participant clientSidecar =
        start("sidecar-client", SIDECAR, clientSidecarArgs, SIDECAR_READY, false);
    rows.add(row("client's sidecar", "outbound 127.0.0.1:" + clientSidecar.ready(1),
        "admin http://127.0.0.1:" + clientSidecar.ready(3)));
    out.println();
    rows.forEach(out::println);
    out.println();
    out.println("Try, in another terminal (grpcurl):");
    out.println("  grpcurl -plaintext -authority greeter -d '{\"name\":\"you\"}' 127.0.0.1:"
        + clientSidecar.ready(1) + " helloworld.Greeter/SayHello");
    out.println("  curl http://127.0.0.1:" + clientSidecar.ready(3) + "/clusters");
    out.println("  curl http://127.0.0.1:" + cp.ready(2) + "/v1/services/greeter");
    out.println();
    out.println("The client calls greeter through its sidecar, " + rate + " calls/s;"
        + " every second it prints which instance answered. Ctrl-C stops everything.");
    start("client", GREETER, List.of("client", "--target", "127.0.0.1:" + clientSidecar.ready(1),
        "--authority", "greeter", "--rate", Integer.toString(rate), "--concurrency", "4"),
        "^\\[", true);
  }

  private void runFailover(long endNanos) throws InterruptedException, IOException {
    if (stoppedWithin(failoverAfter, endNanos)) {
      return;
    }
    Participant victim = find("greeter-2");
    String port = victim.ready(1);
    out.println(">>> weft demo: killing greeter-2 (SIGKILL, like a crash); its sidecar reports it"
        + " NOT_SERVING and the client's sidecar stops picking it");
    victim.kill();
    started.remove(victim);
    if (stoppedWithin(failoverAfter, endNanos)) {
      return;
    }
    out.println(">>> weft demo: starting greeter-2 again on port " + port
        + "; once its health check passes, traffic returns");
    startGreeter("greeter-2", port);
  }

  /**
   * Waits {@code wait}, but not past {@code endNanos} when the demo has a duration; true when the
   * demo is to stop (Ctrl-C, or its duration is up).
   */
  private boolean stoppedWithin(Duration wait, long endNanos) throws InterruptedException {
    long waitNanos = wait.toNanos();
    if (!duration.isZero()) {
      waitNanos = Math.min(waitNanos, endNanos - System.nanoTime());
    }
    return stop.await(waitNanos, TimeUnit.NANOSECONDS) || !duration.isZero()
        && System.nanoTime() - endNanos >= 0;
  }

  private Participant startGreeter(String id, String port) throws IOException {
    return start(id, GREETER, List.of("server", "--port", port, "--instance-id", id),
        GREETER_READY, false);
  }

  private Participant start(String name, String mainClass, List<String> args, String ready,
      boolean show) throws IOException {
    Participant participant = Participant.start(name, mainClass, args, ready, logDir,
        show ? out::println : null);
    started.add(participant);
    return participant;
  }

  private Participant find(String name) {
    return started.stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException(name + " is not running"));
  }

  /**
   * Stops the client first, then the sidecars (each drains: DRAINING, confirmed, in-flight calls
   * done, deregistered), then the greeters, then the control plane.
   */
  private void stopAll() {
    out.println("weft demo: stopping " + started.size() + " processes");
    List<Participant> order = new ArrayList<>(started);
    order.sort(Comparator.comparingInt(DemoMesh::stopRank));
    for (Participant participant : order) {
      int code = participant.stop(STOP_BOUND);
      if (code != 0) {
        out.println("  " + participant.name() + " exited with " + code);
      }
    }
    started.clear();
    out.println("weft demo: stopped");
  }

  private static int stopRank(Participant participant) {
    String name = participant.name();
    if (name.equals("client")) {
      return 0;
    }
    if (name.startsWith("sidecar-")) {
      return 1;
    }
    return name.equals("control-plane") ? 3 : 2;
  }

  private String port(int fixed) {
    return ephemeralPorts ? "0" : Integer.toString(fixed);
  }

  private static String row(String what, String where, String more) {
    return String.format("  %-22s %-28s %s", what, where, more);
  }
}
