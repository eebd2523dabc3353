package io.weft.demo.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.demo.k8s.ComponentCli.Component;
import io.weft.demo.k8s.ComponentCli.Listener;
import io.weft.demo.k8s.ComponentCli.Protocol;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

/** The real command lines as the manifest checks use them: what passes and what fails. */
class ComponentCliTest {

  private static final List<String> GREETER_SIDECAR = List.of(
      "--service=greeter", "--instance-id=greeter-1", "--app-port=50051");

  @Test
  void parse_failsOnAnUnknownFlag_namingIt() {
    assertThatThrownBy(() -> ComponentCli.parse("weft/sidecar:0.1.0",
            List.of("--lb-polcy=round_robin"), Map.of()))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--lb-polcy");
  }

  @Test
  void parse_failsOnAValueThatDoesNotConvert_namingTheFlag() {
    assertThatThrownBy(() -> ComponentCli.parse("weft/demo-greeter",
            List.of("server", "--port=grpc"), Map.of()))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--port");
  }

  @Test
  void parse_failsOnAValueTheComponentsOwnChecksReject() {
    assertThatThrownBy(() -> ComponentCli.parse("weft/sidecar",
            List.of("--lb-policy=round-robin"), Map.of()))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--lb-policy");
    assertThatThrownBy(() -> ComponentCli.parse("weft/control-plane",
            List.of("--lease-ttl=0s"), Map.of()))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--lease-ttl");
  }

  @Test
  void parse_failsOnABadValueFromTheEnvironment_namingItsFlag() {
    assertThatThrownBy(() -> ComponentCli.parse("weft/sidecar", List.of(),
            Map.of("WEFT_LB_POLICY", "bogus")))
        .hasMessageContaining("--lb-policy");
    assertThatThrownBy(() -> ComponentCli.parse("weft/sidecar", GREETER_SIDECAR,
            Map.of("WEFT_POD_ZONE", "a zone with spaces")))
        .hasMessageContaining("WEFT_POD_ZONE");
  }

  @Test
  void parse_takesFlagsFromTheEnvironment_butArgsWin() {
    ComponentCli fromEnv = ComponentCli.parse("weft/control-plane", List.of(),
        Map.of("WEFT_ADMIN_PORT", "9014"));
    ComponentCli argsWin = ComponentCli.parse("weft/control-plane",
        List.of("--admin-port=15014"), Map.of("WEFT_ADMIN_PORT", "9014"));

    assertThat(fromEnv.controlPlaneConfig().adminPort()).isEqualTo(9014);
    assertThat(argsWin.controlPlaneConfig().adminPort()).isEqualTo(15014);
  }

  @Test
  void parse_rejectsAnImageThatIsNotWeft_andAGreeterWithoutCommand() {
    assertThatThrownBy(() -> ComponentCli.parse("nginx:1", List.of(), Map.of()))
        .hasMessageContaining("image: nginx:1");
    assertThatThrownBy(() -> ComponentCli.parse("weft/demo-greeter", List.of("--port=1"),
            Map.of()))
        .hasMessageContaining("weft/demo-greeter args[0]: '--port=1'");
  }

  @Test
  void environmentVariablesRead_areThoseOfTheFlags_plusThePodZoneForTheSidecar() {
    ComponentCli sidecar = ComponentCli.parse("weft/sidecar", List.of(), Map.of());
    ComponentCli controlPlane = ComponentCli.parse("weft/control-plane", List.of(), Map.of());
    ComponentCli server = ComponentCli.parse("weft/demo-greeter", List.of("server"), Map.of());

    assertThat(sidecar.environmentVariablesRead())
        .contains("WEFT_APP_PORT", "WEFT_ZONE", "WEFT_POD_ZONE", "WEFT_DRAIN_TIMEOUT");
    assertThat(controlPlane.environmentVariablesRead())
        .contains("WEFT_PORT", "WEFT_ADMIN_PORT").doesNotContain("WEFT_POD_ZONE");
    assertThat(server.environmentVariablesRead())
        .contains("GREETER_PORT", "GREETER_ADDRESS").doesNotContain("GREETER_CLIENT_RATE");
  }

  @Test
  void listeners_followTheFlags_andTellWhichTheKubeletReaches() {
    ComponentCli sidecar = ComponentCli.parse("weft/sidecar", GREETER_SIDECAR, Map.of());
    ComponentCli client = ComponentCli.parse("weft/sidecar", List.of(), Map.of());
    ComponentCli server = ComponentCli.parse("weft/demo-greeter", List.of("server"), Map.of());

    assertThat(sidecar.component()).isEqualTo(Component.SIDECAR);
    assertThat(sidecar.listeners()).containsExactly(
        new Listener("--admin-port", "0.0.0.0", 15000, Protocol.HTTP_ADMIN),
        new Listener("--outbound-port", "127.0.0.1", 15001, Protocol.GRPC),
        new Listener("--inbound-port", "0.0.0.0", 15006, Protocol.GRPC));
    assertThat(client.listeners()).extracting(Listener::flag)
        .containsExactly("--admin-port", "--outbound-port");
    assertThat(server.listeners()).containsExactly(
        new Listener("--port", "127.0.0.1", 50051, Protocol.GRPC));
    assertThat(server.listeners().get(0).reachableAtPodIp()).isFalse();
  }

  @Test
  void override_replacesFlagsGivenEitherWay_andAddsTheOthers() {
    List<String> args = List.of("--port=1", "--admin-port", "2", "--id=x");

    assertThat(ComponentCli.override(args, Map.of("--port", "0", "--admin-port", "0",
            "--bind-address", "127.0.0.1")))
        .containsExactlyInAnyOrder("--id=x", "--port=0", "--admin-port=0",
            "--bind-address=127.0.0.1");
  }
}
