package io.weft.controlplane;

import com.google.common.net.HostAndPort;
import io.weft.common.DurationConverter;
import io.weft.common.MeshNames;
import io.weft.common.ProtoDurations;
import io.weft.common.TerminationSignals;
import io.weft.controlplane.registry.RegistryOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The control plane's command line ({@code java -jar control-plane.jar}). Every flag can also be
 * set by an environment variable {@code WEFT_<FLAG>} ({@code --admin-port} by {@code
 * WEFT_ADMIN_PORT}); a flag given on the command line wins.
 *
 * <p>Once both ports are bound it prints exactly one line to standard output, for tools to parse:
 * {@code weft control plane <id> listening: grpc=<host>:<port> admin=<host>:<port>} (the real
 * ports when 0 was asked). Logs go to standard error. SIGTERM or SIGINT closes it gracefully and
 * it exits 0; bad flags exit 2 naming the flag; a port that cannot be bound exits 1.
 */
@Command(
    name = "weft-control-plane",
    mixinStandardHelpOptions = true,
    version = "weft control plane 0.1.0",
    sortOptions = false,
    description = {
      "The weft control plane: registry of service instances with leases, streaming discovery"
          + " to sidecars, admin HTTP (health, Prometheus metrics, JSON views).",
      "Every flag can also be set by the environment variable named beside it."
    })
public final class ControlPlaneMain implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "${env:WEFT_PORT:-15010}",
      description = "gRPC port: registration and discovery; 0 picks a free port"
          + " (env WEFT_PORT, default 15010).")
  int port;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      defaultValue = "${env:WEFT_ADMIN_PORT:-15014}",
      description = "Admin HTTP port: /healthz, /metrics, /v1/...; 0 picks a free port"
          + " (env WEFT_ADMIN_PORT, default 15014).")
  int adminPort;

  @Option(
      names = "--bind-address",
      paramLabel = "ADDRESS",
      defaultValue = "${env:WEFT_BIND_ADDRESS:-0.0.0.0}",
      description = "Address both ports listen on (env WEFT_BIND_ADDRESS, default 0.0.0.0).")
  String bindAddress;

  @Option(
      names = "--lease-ttl",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "${env:WEFT_LEASE_TTL:-10s}",
      description = "Lease TTL granted when a registration asks for none; 1s..300s"
          + " (env WEFT_LEASE_TTL, default 10s).")
  Duration leaseTtl;

  @Option(
      names = "--debounce",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "${env:WEFT_DEBOUNCE:-10ms}",
      description = "How long registry changes are collected before they are pushed; 0s pushes"
          + " each at once (env WEFT_DEBOUNCE, default 10ms).")
  Duration debounce;

  @Option(
      names = "--warmup",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "${env:WEFT_WARMUP}",
      description = "Restart safety: after start, services are pushed only once rebuilt, for"
          + " this long; 0s disables it (env WEFT_WARMUP, default: the lease TTL).")
  Duration warmup;

  @Option(
      names = "--drain-grace",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "${env:WEFT_DRAIN_GRACE:-30s}",
      description = "How long a deregistered instance stays DRAINING when the request names no"
          + " grace; 0s..300s (env WEFT_DRAIN_GRACE, default 30s).")
  Duration drainGrace;

  @Option(
      names = "--drain-confirm-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "${env:WEFT_DRAIN_CONFIRM_TIMEOUT:-10s}",
      description = "How long a drain waits for every subscribed sidecar's ACK before it is"
          + " confirmed as timed out (env WEFT_DRAIN_CONFIRM_TIMEOUT, default 10s).")
  Duration drainConfirmTimeout;

  @Option(
      names = "--max-expiry-fraction",
      paramLabel = "FRACTION",
      defaultValue = "${env:WEFT_MAX_EXPIRY_FRACTION:-0.5}",
      description = "Self-preservation: the share of leases that may expire within one lease"
          + " TTL before expiry is suspended; 0..1 (env WEFT_MAX_EXPIRY_FRACTION, default 0.5).")
  double maxExpiryFraction;

  @Option(
      names = "--id",
      paramLabel = "ID",
      defaultValue = "${env:WEFT_ID}",
      description = "Control-plane id sent in every discovery response"
          + " (env WEFT_ID, default: random, cp-<8 hex digits>).")
  String id;

  /** Runs the control plane until SIGTERM or SIGINT; exits with the command's exit code. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new ControlPlaneMain()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    ControlPlaneConfig config = config();
    ControlPlane controlPlane = ControlPlane.create(config);
    try {
      controlPlane.start();
    } catch (IOException e) {
      spec.commandLine()
          .getErr()
          .println("weft control plane: cannot listen on " + config.bindAddress() + ": " + e);
      return 1;
    }
    Thread closeOnExit = new Thread(controlPlane::close, "weft-cp-shutdown");
    Runtime.getRuntime().addShutdownHook(closeOnExit);
    CountDownLatch stop = new CountDownLatch(1);
    TerminationSignals.onTermination(stop::countDown);
    PrintWriter out = spec.commandLine().getOut();
    out.println(listeningLine(controlPlane));
    out.flush();
    stop.await();
    controlPlane.close();
    Runtime.getRuntime().removeShutdownHook(closeOnExit);
    return 0;
  }

  /** The line printed once both ports are bound. */
  static String listeningLine(ControlPlane controlPlane) {
    String host = controlPlane.config().bindAddress();
    return "weft control plane "
        + controlPlane.config().controlPlaneId()
        + " listening: grpc="
        + HostAndPort.fromParts(host, controlPlane.grpcPort())
        + " admin="
        + HostAndPort.fromParts(host, controlPlane.adminPort());
  }

  /**
   * The configuration the parsed flags describe.
   *
   * @throws ParameterException naming the flag whose value is out of range
   */
  public ControlPlaneConfig config() {
    checkPort("--port", port);
    checkPort("--admin-port", adminPort);
    if (bindAddress.isBlank()) {
      throw invalid("--bind-address", "\"" + bindAddress + "\"", "an address to listen on");
    }
    checkDuration("--lease-ttl", leaseTtl, Duration.ofSeconds(1), Duration.ofSeconds(300));
    checkDuration("--debounce", debounce, Duration.ZERO, Duration.ofSeconds(60));
    if (warmup != null) {
      checkDuration("--warmup", warmup, Duration.ZERO, Duration.ofHours(1));
    }
    checkDuration("--drain-grace", drainGrace, Duration.ZERO, RegistryOptions.MAX_DRAIN_GRACE);
    checkDuration(
        "--drain-confirm-timeout", drainConfirmTimeout, Duration.ofMillis(1), Duration.ofHours(1));
    if (!(maxExpiryFraction >= 0 && maxExpiryFraction <= 1)) {
      throw invalid("--max-expiry-fraction", Double.toString(maxExpiryFraction), "0..1");
    }
    if (id != null && !MeshNames.isId(id, false)) {
      throw invalid("--id", MeshNames.quote(id), "1..253 printable ASCII characters");
    }
    String controlPlaneId =
        id != null ? id : "cp-" + UUID.randomUUID().toString().substring(0, 8);
    return ControlPlaneConfig.builder(controlPlaneId)
        .bindAddress(bindAddress)
        .grpcPort(port)
        .adminPort(adminPort)
        .leaseTtl(leaseTtl)
        .debounce(debounce)
        .warmup(warmup)
        .drainGrace(drainGrace)
        .drainConfirmTimeout(drainConfirmTimeout)
        .maxExpiryFraction(maxExpiryFraction)
        .build();
  }

  private void checkPort(String flag, int value) {
    if (value < 0 || value > 65535) {
      throw invalid(flag, Integer.toString(value), "0..65535");
    }
  }

  private void checkDuration(String flag, Duration value, Duration min, Duration max) {
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw invalid(
          flag,
          ProtoDurations.describe(value),
          ProtoDurations.describe(min) + ".." + ProtoDurations.describe(max));
    }
  }

  private ParameterException invalid(String flag, String value, String expected) {
    return new ParameterException(
        spec.commandLine(),
        "Invalid value for option '" + flag + "': " + value + " (expected: " + expected + ")");
  }
}
