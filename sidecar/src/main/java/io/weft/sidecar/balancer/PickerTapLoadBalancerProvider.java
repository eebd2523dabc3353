package io.weft.sidecar.balancer;

import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;
import io.grpc.NameResolver.ConfigOrError;
import io.grpc.Status;
import io.grpc.util.GracefulSwitchLoadBalancer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers the {@code weft_picker_tap} policy (through {@code
 * META-INF/services/io.grpc.LoadBalancerProvider}): {@code {"childPolicy": [<policies>]}}, the
 * first policy of the list grpc-java knows runs below it. See {@link PickerTap}.
 */
public final class PickerTapLoadBalancerProvider extends LoadBalancerProvider {

  /** The policy name used in service configs. */
  public static final String POLICY_NAME = "weft_picker_tap";

  /** The parsed config: the child policy's, as grpc-java's graceful switch balancer takes it. */
  record Config(Object child) {}

  /**
   * {@code serviceConfig} with its {@code loadBalancingConfig} put below a {@code
   * weft_picker_tap}; the rest of it (method configs) unchanged.
   */
  public static Map<String, ?> tapped(Map<String, ?> serviceConfig) {
    Object policies = serviceConfig.get("loadBalancingConfig");
    if (!(policies instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException(
          "serviceConfig: no loadBalancingConfig list to tap: " + serviceConfig);
    }
    Map<String, Object> tapped = new LinkedHashMap<>(serviceConfig);
    tapped.put("loadBalancingConfig",
        List.of(Map.of(POLICY_NAME, Map.of("childPolicy", list))));
    return tapped;
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public int getPriority() {
    return 5;
  }

  @Override
  public String getPolicyName() {
    return POLICY_NAME;
  }

  @Override
  public LoadBalancer newLoadBalancer(LoadBalancer.Helper helper) {
    return new PickerTapLoadBalancer(helper);
  }

  /** Parses {@code {"childPolicy": [...]}}; INVALID_ARGUMENT saying what is wrong, never throws. */
  @Override
  @SuppressWarnings("unchecked")
  public ConfigOrError parseLoadBalancingPolicyConfig(Map<String, ?> rawConfig) {
    Object children = rawConfig == null ? null : rawConfig.get("childPolicy");
    if (!(children instanceof List<?> list) || list.isEmpty()
        || !list.stream().allMatch(Map.class::isInstance)) {
      return ConfigOrError.fromError(Status.INVALID_ARGUMENT.withDescription(POLICY_NAME
          + " config: childPolicy: " + children + " (expected: a non-empty list of policies)"));
    }
    ConfigOrError child = GracefulSwitchLoadBalancer.parseLoadBalancingPolicyConfig(
        (List<Map<String, ?>>) list);
    if (child.getError() != null) {
      return ConfigOrError.fromError(Status.INVALID_ARGUMENT.withDescription(
          POLICY_NAME + " config: childPolicy: " + child.getError().getDescription()));
    }
    return ConfigOrError.fromConfig(new Config(child.getConfig()));
  }
}
