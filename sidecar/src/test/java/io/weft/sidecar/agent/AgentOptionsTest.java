package io.weft.sidecar.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.common.BackoffOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {

  private static AgentOptions.Builder valid() {
    return AgentOptions.builder()
        .service("greeter")
        .instanceId("greeter-1")
        .advertise("10.0.0.7", 15006)
        .nodeId("node-1");
  }

  @Test
  void appliesTheDefaults_whenOnlyTheRequiredFieldsAreSet() {
    AgentOptions options = valid().build();

    assertThat(options.zone()).isEmpty();
    assertThat(options.weight()).isZero();
    assertThat(options.metadata()).isEmpty();
    assertThat(options.grpcServices()).isEmpty();
    assertThat(options.leaseTtl()).isEmpty();
    assertThat(options.healthCheckInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(options.healthCheckTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(options.drainConfirmTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(options.inFlightDrainTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(options.backoff()).isEqualTo(BackoffOptions.DEFAULT);
  }

  @Test
  void keepsEverySetField() {
    AgentOptions options = valid()
        .zone("a")
        .weight(1000)
        .metadata(Map.of("version", "v2"))
        .grpcServices(List.of("helloworld.Greeter"))
        .leaseTtl(Duration.ofSeconds(30))
        .build();

    assertThat(options.service()).isEqualTo("greeter");
    assertThat(options.instanceId()).isEqualTo("greeter-1");
    assertThat(options.advertisedAddress()).isEqualTo("10.0.0.7");
    assertThat(options.advertisedPort()).isEqualTo(15006);
    assertThat(options.nodeId()).isEqualTo("node-1");
    assertThat(options.zone()).isEqualTo("a");
    assertThat(options.weight()).isEqualTo(1000);
    assertThat(options.metadata()).containsExactly(Map.entry("version", "v2"));
    assertThat(options.grpcServices()).containsExactly("helloworld.Greeter");
    assertThat(options.leaseTtl()).contains(Duration.ofSeconds(30));
  }

  @Test
  void rejectsBadFields_namingTheFieldAndTheValue() {
    assertThatThrownBy(() -> valid().service("Greeter").build())
        .hasMessage("service: 'Greeter' (expected: a DNS-1123 label, [a-z0-9-], 1..63 characters)");
    assertThatThrownBy(() -> valid().instanceId("").build())
        .hasMessage("instanceId: '' (expected: non-empty)");
    assertThatThrownBy(() -> AgentOptions.builder().service("greeter").instanceId("i")
        .advertise("h", 1).build())
        .hasMessage("nodeId: '' (expected: non-empty)");
    assertThatThrownBy(() -> valid().advertise("10.0.0.7", 70000).build())
        .hasMessage("advertisedPort: 70000 (expected: 1..65535)");
    assertThatThrownBy(() -> valid().weight(1001).build())
        .hasMessage("weight: 1001 (expected: 1..1000, or 0 for the default)");
    assertThatThrownBy(() -> valid().leaseTtl(Duration.ofMillis(500)).build())
        .hasMessage("leaseTtl: PT0.5S (expected: 1s..300s)");
    assertThatThrownBy(() -> valid().healthCheckTimeout(Duration.ZERO).build())
        .hasMessage("healthCheckTimeout: PT0S (expected: > 0)");
    assertThatThrownBy(() -> valid().drainConfirmTimeout(Duration.ofSeconds(290)).build())
        .hasMessage("drainConfirmTimeout + inFlightDrainTimeout: PT5M10S"
            + " (expected: <= 300s, the longest drain grace)");
  }
}
