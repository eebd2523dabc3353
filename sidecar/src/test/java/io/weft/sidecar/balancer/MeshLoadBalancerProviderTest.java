package io.weft.sidecar.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.LoadBalancerRegistry;
import io.grpc.NameResolver.ConfigOrError;
import io.grpc.Status;
import io.weft.sidecar.balancer.MeshLoadBalancerConfig.Policy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshLoadBalancerProviderTest {

  private final MeshLoadBalancerProvider provider = new MeshLoadBalancerProvider();

  @Test
  void provider_registeredAsWeftMesh() {
    assertThat(LoadBalancerRegistry.getDefaultRegistry().getProvider("weft_mesh"))
        .isInstanceOf(MeshLoadBalancerProvider.class);
  }

  @Test
  void parse_readsEveryField() {
    ConfigOrError parsed = provider.parseLoadBalancingPolicyConfig(Map.of(
        "policy", "least_request", "localZone", "eu-west-1a", "minLocalHealthyPercent", 55.0));

    assertThat(parsed.getConfig())
        .isEqualTo(new MeshLoadBalancerConfig(Policy.LEAST_REQUEST, "eu-west-1a", 55));
  }

  @Test
  void parse_emptyObjectGivesDefaults() {
    assertThat(provider.parseLoadBalancingPolicyConfig(Map.of()).getConfig())
        .isEqualTo(MeshLoadBalancerConfig.DEFAULT)
        .isEqualTo(new MeshLoadBalancerConfig(Policy.ROUND_ROBIN, "", 70));
  }

  @Test
  void parse_roundTripsToJson() {
    MeshLoadBalancerConfig config = new MeshLoadBalancerConfig(Policy.LEAST_REQUEST, "b", 40);

    assertThat(provider.parseLoadBalancingPolicyConfig(config.toJson()).getConfig())
        .isEqualTo(config);
  }

  @Test
  void parse_badPolicyNamed() {
    assertError(Map.of("policy", "random"),
        "weft_mesh config: policy: \"random\" (expected: round_robin or least_request)");
  }

  @Test
  void parse_badZoneNamed() {
    assertError(Map.of("localZone", "eu west"),
        "weft_mesh config: localZone: \"eu west\" (expected: 0..63 characters of [A-Za-z0-9._-])");
    assertError(Map.of("localZone", 3.0),
        "weft_mesh config: localZone: 3.0 (expected: a string)");
  }

  @Test
  void parse_badPercentNamed() {
    assertError(Map.of("minLocalHealthyPercent", 101.0),
        "weft_mesh config: minLocalHealthyPercent: 101 (expected: an integer 0..100)");
    assertError(Map.of("minLocalHealthyPercent", 12.5),
        "weft_mesh config: minLocalHealthyPercent: 12.5 (expected: an integer 0..100)");
    assertError(Map.of("minLocalHealthyPercent", "70"),
        "weft_mesh config: minLocalHealthyPercent: \"70\" (expected: an integer 0..100)");
  }

  @Test
  void parse_unknownFieldNamed() {
    assertError(Map.of("polcy", "round_robin"), "weft_mesh config: unknown field \"polcy\""
        + " (expected: policy, localZone, minLocalHealthyPercent)");
  }

  @Test
  void parse_everyBadFieldReportedAtOnce() {
    Map<String, Object> raw = new HashMap<>();
    raw.put("policy", 1.0);
    raw.put("minLocalHealthyPercent", -1.0);

    Status error = provider.parseLoadBalancingPolicyConfig(raw).getError();

    assertThat(error.getDescription())
        .contains("policy: 1.0", "minLocalHealthyPercent: -1");
  }

  @Test
  void config_validatesWhenBuiltInCode() {
    assertThatThrownBy(() -> new MeshLoadBalancerConfig(Policy.ROUND_ROBIN, "", 150))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minLocalHealthyPercent: 150 (expected: 0..100)");
    assertThatThrownBy(() -> new MeshLoadBalancerConfig(Policy.ROUND_ROBIN, "a/b", 50))
        .hasMessageStartingWith("localZone: \"a/b\"");
  }

  @Test
  void config_equalByValue() {
    assertThat(new MeshLoadBalancerConfig(Policy.ROUND_ROBIN, "a", 70))
        .isEqualTo(new MeshLoadBalancerConfig(Policy.ROUND_ROBIN, "a", 70))
        .hasSameHashCodeAs(new MeshLoadBalancerConfig(Policy.ROUND_ROBIN, "a", 70))
        .isNotEqualTo(new MeshLoadBalancerConfig(Policy.ROUND_ROBIN, "b", 70));
  }

  private void assertError(Map<String, ?> raw, String description) {
    Status error = provider.parseLoadBalancingPolicyConfig(raw).getError();
    assertThat(error).isNotNull();
    assertThat(error.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(error.getDescription()).isEqualTo(description);
  }
}
