package io.weft.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.weft.common.JavaProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The command line: help, flags, environment defaults, validation, and a real process. */
class ControlPlaneMainTest {

  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final String LISTENING =
      "weft control plane (\\S+) listening: grpc=([\\d.]+):(\\d+) admin=([\\d.]+):(\\d+)";

  @Test
  void help_listsEveryFlagWithItsEnvironmentVariableAndDefault() {
    StringWriter out = new StringWriter();
    CommandLine command = new CommandLine(new ControlPlaneMain()).setOut(new PrintWriter(out));

    int exit = command.execute("--help");

    String help = out.toString().replaceAll("\\s+", " ");
    assertThat(exit).isZero();
    assertThat(help)
        .contains("--port=PORT", "(env WEFT_PORT, default 15010)")
        .contains("--admin-port=PORT", "(env WEFT_ADMIN_PORT, default 15014)")
        .contains("--bind-address=ADDRESS", "(env WEFT_BIND_ADDRESS, default 0.0.0.0)")
        .contains("--lease-ttl=DURATION", "(env WEFT_LEASE_TTL, default 10s)")
        .contains("--debounce=DURATION", "(env WEFT_DEBOUNCE, default 10ms)")
        .contains("--warmup=DURATION", "(env WEFT_WARMUP, default: the lease TTL)")
        .contains("--drain-grace=DURATION", "(env WEFT_DRAIN_GRACE, default 30s)")
        .contains(
            "--drain-confirm-timeout=DURATION", "(env WEFT_DRAIN_CONFIRM_TIMEOUT, default 10s)")
        .contains("--max-expiry-fraction=FRACTION", "(env WEFT_MAX_EXPIRY_FRACTION, default 0.5)")
        .contains("--id=ID", "(env WEFT_ID, default: random")
        .contains("--help", "--version");
  }

  @Test
  void flags_becomeTheConfiguration_warmupDefaultingToTheLeaseTtl() {
    ControlPlaneMain main = new ControlPlaneMain();
    new CommandLine(main)
        .parseArgs(
            "--port=0", "--admin-port=0", "--bind-address=127.0.0.1", "--lease-ttl=20s",
            "--debounce=5ms", "--drain-grace=0s", "--drain-confirm-timeout=2s",
            "--max-expiry-fraction=0.25", "--id=cp-flags");

    ControlPlaneConfig config = main.config();

    assertThat(config)
        .isEqualTo(
            new ControlPlaneConfig(
                "127.0.0.1",
                0,
                0,
                Duration.ofSeconds(20),
                Duration.ofMillis(5),
                Duration.ofSeconds(20),
                Duration.ZERO,
                Duration.ofSeconds(2),
                0.25,
                "cp-flags"));
  }

  @Test
  void noFlags_giveTheDocumentedDefaults_andARandomId() {
    assumeTrue(
        System.getenv().keySet().stream().noneMatch(name -> name.startsWith("WEFT_")),
        "the environment sets WEFT_* variables");
    ControlPlaneMain main = new ControlPlaneMain();
    new CommandLine(main).parseArgs();

    ControlPlaneConfig config = main.config();

    assertThat(config.grpcPort()).isEqualTo(15010);
    assertThat(config.adminPort()).isEqualTo(15014);
    assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.leaseTtl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.debounce()).isEqualTo(Duration.ofMillis(10));
    assertThat(config.warmup()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.drainGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.drainConfirmTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.maxExpiryFraction()).isEqualTo(0.5);
    assertThat(config.controlPlaneId()).matches("cp-[0-9a-f]{8}");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "--port, 70000, '--port': 70000 (expected: 0..65535)",
    "--admin-port, -1, '--admin-port': -1 (expected: 0..65535)",
    "--port, abc, '--port'",
    "--bind-address, ' ', '--bind-address'",
    "--lease-ttl, 0s, '--lease-ttl': 0s (expected: 1s..300s)",
    "--lease-ttl, 301s, '--lease-ttl': 301s (expected: 1s..300s)",
    "--lease-ttl, 10, '--lease-ttl'",
    "--debounce, -PT1S, '--debounce': -1s",
    "--warmup, -PT1S, '--warmup': -1s",
    "--drain-grace, 301s, '--drain-grace': 301s (expected: 0s..300s)",
    "--drain-confirm-timeout, 0s, '--drain-confirm-timeout': 0s",
    "--max-expiry-fraction, 1.5, '--max-expiry-fraction': 1.5 (expected: 0..1)",
    "--max-expiry-fraction, -0.1, '--max-expiry-fraction': -0.1 (expected: 0..1)",
    "--max-expiry-fraction, NaN, '--max-expiry-fraction': NaN (expected: 0..1)",
    "--id, 'a b', '--id': \"a b\"",
  })
  void badValue_isRejectedNamingTheFlag(String flag, String value, String expected) {
    ControlPlaneMain main = new ControlPlaneMain();

    assertThatThrownBy(
            () -> {
              new CommandLine(main).parseArgs(flag + "=" + value);
              main.config();
            })
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void badValue_exitsWithTheUsageCode_printingTheError() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new ControlPlaneMain()).setErr(new PrintWriter(err));

    int exit = command.execute("--port=70000", "--admin-port=0");

    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString())
        .startsWith("Invalid value for option '--port': 70000 (expected: 0..65535)")
        .contains("Usage: weft-control-plane");
  }

  @Test
  void portInUse_exitsWithOneNamingTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      StringWriter err = new StringWriter();
      CommandLine command = new CommandLine(new ControlPlaneMain()).setErr(new PrintWriter(err));

      int exit =
          command.execute(
              "--bind-address=127.0.0.1", "--port=" + taken.getLocalPort(), "--admin-port=0");

      assertThat(exit).isEqualTo(1);
      assertThat(err.toString()).contains("cannot listen on 127.0.0.1");
    }
  }

  @Test
  void process_printsTheListeningLine_servesHealth_andExitsZeroOnSigterm() throws Exception {
    try (JavaProcess process =
        JavaProcess.start(
            "control-plane",
            ControlPlaneMain.class.getName(),
            List.of("--port", "0", "--admin-port", "0", "--bind-address", "127.0.0.1"))) {
      Matcher listening = process.awaitLine(LISTENING, BOUND);
      assertThat(listening.group(1)).matches("cp-[0-9a-f]{8}");
      assertThat(listening.group(2)).isEqualTo("127.0.0.1");
      assertThat(Integer.parseInt(listening.group(3))).isPositive();
      int adminPort = Integer.parseInt(listening.group(5));

      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthz"))
                      .timeout(BOUND)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);

      process.terminate();

      assertThat(process.awaitExit(BOUND)).isZero();
      assertThat(process.lines())
          .anyMatch(line -> line.contains("SIGTERM received, stopping"))
          .anyMatch(line -> line.contains("control plane " + listening.group(1) + " stopped"));
    }
  }

  @Test
  void process_takesItsDefaultsFromTheEnvironment_flagsWinOverThem() {
    Map<String, String> environment =
        Map.of(
            "WEFT_PORT", "0",
            "WEFT_ADMIN_PORT", "0",
            "WEFT_BIND_ADDRESS", "127.0.0.1",
            "WEFT_ID", "cp-from-env",
            "WEFT_LEASE_TTL", "7s",
            "WEFT_DEBOUNCE", "20ms",
            "WEFT_MAX_EXPIRY_FRACTION", "0.3");
    try (JavaProcess process =
        JavaProcess.start(
            "control-plane-env",
            ControlPlaneMain.class.getName(),
            List.of("--debounce", "30ms"),
            environment)) {
      Matcher listening = process.awaitLine(LISTENING, BOUND);
      assertThat(listening.group(1)).isEqualTo("cp-from-env");
      assertThat(listening.group(2)).isEqualTo("127.0.0.1");
      assertThat(process.lines())
          .anyMatch(
              line ->
                  line.contains("lease-ttl=7s debounce=30ms warmup=7s")
                      && line.contains("max-expiry-fraction=0.3"));

      process.terminate();

      assertThat(process.awaitExit(BOUND)).isZero();
    }
  }
}
