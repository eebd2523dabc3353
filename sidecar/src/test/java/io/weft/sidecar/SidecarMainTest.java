package io.weft.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.base.CaseFormat;
import io.weft.sidecar.SidecarConfig.LocalApp;
import io.weft.sidecar.balancer.MeshLoadBalancerConfig.Policy;
import io.weft.sidecar.balancer.MeshServiceConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The command line, in process: help, defaults, validation and the pod zone. */
class SidecarMainTest {

  private static final List<String> APP = List.of(
      "--app-port", "8080", "--service", "greeter", "--instance-id", "greeter-1");

  private final Map<String, String> environment = new HashMap<>();

  @Test
  void help_listsEveryFlag_withItsEnvironmentVariableAndDefault() {
    StringWriter out = new StringWriter();
    CommandLine commandLine = SidecarMain.commandLine(environment::get);
    commandLine.setOut(new PrintWriter(out));

    int exitCode = commandLine.execute("--help");

    assertThat(exitCode).isZero();
    String help = out.toString().replaceAll("\\s+", " ");
    List<Option> flags = Arrays.stream(SidecarFlags.class.getDeclaredFields())
        .map(field -> field.getAnnotation(Option.class))
        .filter(Objects::nonNull)
        .toList();
    assertThat(flags).hasSize(27);
    assertThat(flags).allSatisfy(flag -> {
      String name = flag.names()[0];
      String env =
          "WEFT_" + CaseFormat.LOWER_HYPHEN.to(CaseFormat.UPPER_UNDERSCORE, name.substring(2));
      assertThat(help).contains(name + "=", "Env " + env);
      assertThat(flag.defaultValue()).startsWith("${env:" + env);
      assertThat(String.join(" ", flag.description())).contains("Default: ");
    });
  }

  @Test
  void noFlags_giveThePureClientDefaults() {
    SidecarConfig config = config();

    assertThat(config.app()).isNull();
    assertThat(config.label()).isEqualTo("-/-");
    assertThat(config.nodeId()).matches("client/-/[0-9a-f]{8}");
    assertThat(config.controlPlane().toString()).isEqualTo("localhost:15010");
    assertThat(config.outboundAddress()).isEqualTo("127.0.0.1");
    assertThat(config.outboundPort()).isEqualTo(15001);
    assertThat(config.adminAddress()).isEqualTo("0.0.0.0");
    assertThat(config.adminPort()).isEqualTo(15000);
    assertThat(config.maxMessageSize()).isEqualTo(4 * 1024 * 1024);
    assertThat(config.ioThreads()).isEqualTo(1);
    assertThat(config.meshConfig()).isEqualTo(MeshServiceConfig.defaults());
    assertThat(config.serviceConfigs()).isEmpty();
  }

  @Test
  void appFlags_giveALocalApp_behindTheInboundProxyByDefault() {
    SidecarConfig config = config(APP.toArray(String[]::new));

    LocalApp app = config.app();
    assertThat(config.label()).isEqualTo("greeter/greeter-1");
    assertThat(config.nodeId()).matches("greeter/greeter-1/[0-9a-f]{8}");
    assertThat(app.address()).isEqualTo("127.0.0.1");
    assertThat(app.port()).isEqualTo(8080);
    assertThat(app.inboundAddress()).isEqualTo("0.0.0.0");
    assertThat(app.inboundPort()).isEqualTo(15006);
    assertThat(app.advertisePort()).isZero();
    assertThat(app.advertiseAddress()).isNotEmpty();
    assertThat(app.weight()).isEqualTo(100);
    assertThat(app.leaseTtl()).isNull();
    assertThat(app.drainConfirmTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(app.inFlightDrainTimeout()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void everyFlag_reachesTheConfig() {
    SidecarConfig config = config(
        "--app-port", "8080", "--service", "greeter", "--instance-id", "greeter-1",
        "--app-address", "10.0.0.9", "--advertise-address", "10.0.0.7",
        "--inbound-port", "-1", "--advertise-port", "8080", "--zone", "zone-a",
        "--weight", "250", "--metadata", "a=1", "--metadata", "b=2,c=3",
        "--grpc-service", "helloworld.Greeter", "--control-plane", "cp.mesh:15010",
        "--outbound-port", "0", "--admin-port", "0", "--bind-address", "0.0.0.0",
        "--lb-policy", "least_request", "--service-lb-policy", "billing=round_robin",
        "--min-local-healthy-percent", "50", "--outlier-detection", "false",
        "--retry-attempts", "3", "--request-timeout", "2s", "--max-message-size", "8MiB",
        "--lease-ttl", "15s", "--drain-timeout", "5s", "--drain-inflight-timeout", "7s",
        "--node-id", "node-7", "--io-threads", "4");

    LocalApp app = config.app();
    assertThat(app.address()).isEqualTo("10.0.0.9");
    assertThat(app.hasInbound()).isFalse();
    assertThat(app.advertiseAddress()).isEqualTo("10.0.0.7");
    assertThat(app.advertisePort()).isEqualTo(8080);
    assertThat(app.weight()).isEqualTo(250);
    assertThat(app.metadata()).isEqualTo(Map.of("a", "1", "b", "2", "c", "3"));
    assertThat(app.grpcServices()).containsExactly("helloworld.Greeter");
    assertThat(app.leaseTtl()).isEqualTo(Duration.ofSeconds(15));
    assertThat(app.drainConfirmTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(app.inFlightDrainTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(config.zone()).isEqualTo("zone-a");
    assertThat(config.controlPlane().toString()).isEqualTo("cp.mesh:15010");
    assertThat(config.outboundAddress()).isEqualTo("0.0.0.0");
    assertThat(config.outboundPort()).isZero();
    assertThat(config.adminPort()).isZero();
    assertThat(config.nodeId()).isEqualTo("node-7");
    assertThat(config.maxMessageSize()).isEqualTo(8 * 1024 * 1024);
    assertThat(config.ioThreads()).isEqualTo(4);
    MeshServiceConfig mesh = config.meshConfig();
    assertThat(mesh.balancer().policy()).isEqualTo(Policy.LEAST_REQUEST);
    assertThat(mesh.balancer().localZone()).isEqualTo("zone-a");
    assertThat(mesh.balancer().minLocalHealthyPercent()).isEqualTo(50);
    assertThat(mesh.outlierDetection()).isFalse();
    assertThat(mesh.retryPolicy().orElseThrow().maxAttempts()).isEqualTo(3);
    assertThat(mesh.timeout()).contains(Duration.ofSeconds(2));
    MeshServiceConfig billing = config.serviceConfigs().get("billing");
    assertThat(billing.balancer().policy()).isEqualTo(Policy.ROUND_ROBIN);
    assertThat(billing.balancer().localZone()).isEqualTo("zone-a");
    assertThat(billing.retryPolicy()).isEqualTo(mesh.retryPolicy());
  }

  @Test
  void podZone_winsOverTheZoneFlag_whenNotEmpty() {
    environment.put(SidecarMain.POD_ZONE_ENV, "pod-zone");
    assertThat(config("--zone", "flag-zone").zone()).isEqualTo("pod-zone");
    assertThat(config("--zone", "flag-zone").meshConfig().balancer().localZone())
        .isEqualTo("pod-zone");

    environment.put(SidecarMain.POD_ZONE_ENV, "");
    assertThat(config("--zone", "flag-zone").zone()).isEqualTo("flag-zone");

    environment.remove(SidecarMain.POD_ZONE_ENV);
    assertThat(config("--zone", "flag-zone").zone()).isEqualTo("flag-zone");
  }

  @Test
  void badPodZone_isRejectedNamingTheVariable() {
    environment.put(SidecarMain.POD_ZONE_ENV, "no spaces please");

    assertThatThrownBy(() -> config())
        .isInstanceOf(ParameterException.class)
        .hasMessageStartingWith("WEFT_POD_ZONE: \"no spaces please\" (expected: ");
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        bad(List.of("--service", "Bad_Name"), "--service: \"Bad_Name\" (expected: a DNS-1123"),
        bad(List.of("--instance-id", "has space"), "--instance-id: \"has space\" (expected: "),
        bad(List.of("--app-port", "8080"),
            "--service: none (expected: a mesh service name when --app-port is given)"),
        bad(List.of("--app-port", "8080", "--service", "greeter"),
            "--instance-id: none (expected: an instance id when --app-port is given)"),
        bad(with("--weight", "2000"), "--weight: 2000 (expected: 1..1000)"),
        bad(List.of("--app-port", "70000", "--service", "greeter", "--instance-id", "g-1"),
            "--app-port: 70000 (expected: 1..65535)"),
        bad(with("--inbound-port", "-1"), "--advertise-port: none (expected: a port when"),
        bad(with("--inbound-port", "-2"), "--inbound-port: -2 (expected: -1..65535)"),
        bad(List.of("--outbound-port", "65536"), "--outbound-port: 65536 (expected: 0..65535)"),
        bad(List.of("--admin-port", "-1"), "--admin-port: -1 (expected: 0..65535)"),
        bad(List.of("--control-plane", "no-port"),
            "--control-plane: \"no-port\" (expected: host:port"),
        bad(List.of("--lb-policy", "random"),
            "--lb-policy: \"random\" (expected: round_robin or least_request)"),
        bad(List.of("--service-lb-policy", "billing=random"),
            "--service-lb-policy: \"random\" (expected: round_robin or least_request)"),
        bad(List.of("--service-lb-policy", "Billing=round_robin"),
            "--service-lb-policy: \"Billing\" (expected: a DNS-1123"),
        bad(List.of("--min-local-healthy-percent", "101"),
            "--min-local-healthy-percent: 101 (expected: 0..100)"),
        bad(List.of("--retry-attempts", "6"), "--retry-attempts: 6 (expected: 1..5)"),
        bad(List.of("--io-threads", "0"), "--io-threads: 0 (expected: 1..64)"),
        bad(List.of("--io-threads", "65"), "--io-threads: 65 (expected: 1..64)"),
        bad(List.of("--request-timeout", "0"), "--request-timeout: 0s (expected: more than 0"),
        bad(with("--lease-ttl", "500ms"), "--lease-ttl: 500ms (expected: 1s..300s)"),
        bad(with("--drain-timeout", "200s", "--drain-inflight-timeout", "200s"),
            "--drain-timeout + --drain-inflight-timeout: 400s (expected: at most 300s)"),
        bad(with("--metadata", "bad key=1"), "--metadata: \"bad key\" (expected: keys of"),
        bad(with("--grpc-service", "not a service"), "--grpc-service: \"not a service\""),
        bad(List.of("--zone", "bad zone"), "--zone: \"bad zone\" (expected: "),
        bad(List.of("--node-id", "has space"), "--node-id: \"has space\" (expected: "),
        bad(List.of("--weight", "heavy"), "Invalid value for option '--weight': 'heavy'"),
        bad(List.of("--outlier-detection", "maybe"),
            "Invalid value for option '--outlier-detection': 'maybe' is not a boolean"),
        bad(List.of("--max-message-size", "4TB"),
            "Invalid value for option '--max-message-size': '4TB' is not a size"),
        bad(List.of("--max-message-size", "2GiB"),
            "Invalid value for option '--max-message-size': '2GiB' is out of range"),
        bad(List.of("--drain-timeout", "10"),
            "Invalid value for option '--drain-timeout': '10' is not a duration"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void badValue_isRejectedNamingTheFlag(List<String> args, String expected) {
    assertThatThrownBy(() -> config(args.toArray(String[]::new)))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void badValue_exitsWith2_printingOneLineAndAHint() {
    StringWriter err = new StringWriter();
    CommandLine commandLine = SidecarMain.commandLine(environment::get);
    commandLine.setErr(new PrintWriter(err));

    int exitCode = commandLine.execute("--service", "Bad_Name");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString().lines().toList()).containsExactly(
        "--service: \"Bad_Name\" (expected: a DNS-1123 label: 1..63 characters of [a-z0-9-],"
            + " starting and ending with a letter or digit)",
        "Run 'weft-sidecar --help' for the flags and their environment variables.");
  }

  private SidecarConfig config(String... args) {
    CommandLine commandLine = SidecarMain.commandLine(environment::get);
    commandLine.parseArgs(args);
    SidecarMain main = commandLine.getCommand();
    return main.config();
  }

  private static List<String> with(String... more) {
    return Stream.concat(APP.stream(), Stream.of(more)).toList();
  }

  private static Arguments bad(List<String> args, String expected) {
    return Arguments.of(args, expected);
  }
}
