package io.weft.sidecar.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.weft.sidecar.balancer.MeshLoadBalancerConfig.Policy;
import io.weft.sidecar.balancer.MeshServiceConfig.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MeshServiceConfigTest {

  @Test
  void defaults_wrapWeftMeshInOutlierDetection() {
    Map<String, ?> config = MeshServiceConfig.defaults().toServiceConfig();

    assertThat(config).containsOnlyKeys("loadBalancingConfig");
    assertThat(config.get("loadBalancingConfig")).isEqualTo(List.of(Map.of(
        "outlier_detection_experimental", Map.of(
            "interval", "10s",
            "baseEjectionTime", "30s",
            "maxEjectionTime", "300s",
            "maxEjectionPercentage", 50.0,
            "failurePercentageEjection", Map.of(
                "threshold", 50.0,
                "enforcementPercentage", 100.0,
                "minimumHosts", 3.0,
                "requestVolume", 20.0),
            "childPolicy", List.of(Map.of("weft_mesh", Map.of(
                "policy", "round_robin", "minLocalHealthyPercent", 70.0)))))));
  }

  @Test
  void withoutOutlierDetection_weftMeshAlone() {
    Map<String, ?> config = MeshServiceConfig.builder()
        .outlierDetection(false)
        .policy(Policy.LEAST_REQUEST)
        .localZone("a")
        .minLocalHealthyPercent(50)
        .build()
        .toServiceConfig();

    assertThat(config.get("loadBalancingConfig")).isEqualTo(List.of(Map.of("weft_mesh", Map.of(
        "policy", "least_request", "localZone", "a", "minLocalHealthyPercent", 50.0))));
  }

  @Test
  void retryAndTimeout_applyToEveryMethod() {
    Map<String, ?> config = MeshServiceConfig.builder()
        .retryPolicy(new RetryPolicy(4, Duration.ofMillis(50), Duration.ofSeconds(2), 1.5,
            Set.of(Status.Code.UNAVAILABLE, Status.Code.RESOURCE_EXHAUSTED)))
        .timeout(Duration.ofMillis(2500))
        .build()
        .toServiceConfig();

    assertThat(config.get("methodConfig")).isEqualTo(List.of(Map.of(
        "name", List.of(Map.of()),
        "timeout", "2.500000000s",
        "retryPolicy", Map.of(
            "maxAttempts", 4.0,
            "initialBackoff", "0.050000000s",
            "maxBackoff", "2s",
            "backoffMultiplier", 1.5,
            "retryableStatusCodes", List.of("RESOURCE_EXHAUSTED", "UNAVAILABLE")))));
  }

  static List<MeshServiceConfig> configs() {
    return List.of(
        MeshServiceConfig.defaults(),
        MeshServiceConfig.builder().outlierDetection(false).build(),
        MeshServiceConfig.builder()
            .policy(Policy.LEAST_REQUEST)
            .localZone("zone-1")
            .retryPolicy(RetryPolicy.defaults())
            .timeout(Duration.ofSeconds(3))
            .build());
  }

  @ParameterizedTest
  @MethodSource("configs")
  void serviceConfig_acceptedByAChannel(MeshServiceConfig config) {
    // a channel parses its default service config when it is built, and refuses a bad one
    ManagedChannel channel = InProcessChannelBuilder.forName("unused")
        .defaultServiceConfig(config.toServiceConfig())
        .build();

    channel.shutdownNow();
  }

  @Test
  void badWeftMeshConfig_refusedByTheChannel() {
    Map<String, ?> bad = Map.of("loadBalancingConfig",
        List.of(Map.of("weft_mesh", Map.of("policy", "nope"))));

    assertThatThrownBy(() -> InProcessChannelBuilder.forName("unused")
            .defaultServiceConfig(bad)
            .build())
        .hasMessageContaining("policy: \"nope\"");
  }

  @Test
  void badSettings_rejectedNamingTheSetting() {
    assertThatThrownBy(() -> MeshServiceConfig.builder().minLocalHealthyPercent(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minLocalHealthyPercent: -1 (expected: 0..100)");
    assertThatThrownBy(() -> MeshServiceConfig.builder().timeout(Duration.ZERO))
        .hasMessage("timeout: PT0S (expected: > 0)");
    assertThatThrownBy(() -> new RetryPolicy(
            6, Duration.ofMillis(1), Duration.ofMillis(1), 2, Set.of(Status.Code.UNAVAILABLE)))
        .hasMessage("maxAttempts: 6 (expected: 2..5)");
    assertThatThrownBy(() -> new RetryPolicy(
            3, Duration.ofMillis(10), Duration.ofMillis(1), 2, Set.of(Status.Code.UNAVAILABLE)))
        .hasMessage("maxBackoff: PT0.001S (expected: >= initialBackoff PT0.01S)");
    assertThatThrownBy(() -> new RetryPolicy(
            3, Duration.ofMillis(1), Duration.ofMillis(1), 2, Set.of()))
        .hasMessage("retryableStatusCodes: [] (expected: at least one code, not OK)");
  }

  @Test
  void config_equalByValue() {
    assertThat(MeshServiceConfig.builder().localZone("a").build())
        .isEqualTo(MeshServiceConfig.builder().localZone("a").build())
        .hasSameHashCodeAs(MeshServiceConfig.builder().localZone("a").build())
        .isNotEqualTo(MeshServiceConfig.defaults());
  }
}
