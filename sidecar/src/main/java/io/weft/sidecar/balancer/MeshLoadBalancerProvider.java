package io.weft.sidecar.balancer;

import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;
import io.grpc.NameResolver.ConfigOrError;
import io.grpc.Status;
import io.weft.sidecar.balancer.MeshLoadBalancerConfig.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Registers the {@code weft_mesh} load-balancing policy (through {@code
 * META-INF/services/io.grpc.LoadBalancerProvider}) and parses its config, see {@link
 * MeshLoadBalancerConfig}.
 */
public final class MeshLoadBalancerProvider extends LoadBalancerProvider {

  /** The policy name used in service configs. */
  public static final String POLICY_NAME = "weft_mesh";

  private static final Set<String> FIELDS =
      Set.of("policy", "localZone", "minLocalHealthyPercent");

  /** Thread-safe: every call reads the calling thread's own generator. */
  private static final RandomGenerator RANDOM = () -> ThreadLocalRandom.current().nextLong();

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
    return new MeshLoadBalancer(helper, RANDOM);
  }

  /**
   * Parses {@code {"policy": ..., "localZone": ..., "minLocalHealthyPercent": ...}}; every field
   * is optional. Returns INVALID_ARGUMENT naming every bad field, never throws.
   */
  @Override
  public ConfigOrError parseLoadBalancingPolicyConfig(Map<String, ?> rawConfig) {
    if (rawConfig == null) {
      return ConfigOrError.fromConfig(MeshLoadBalancerConfig.DEFAULT);
    }
    List<String> errors = new ArrayList<>();
    for (String field : rawConfig.keySet()) {
      if (!FIELDS.contains(field)) {
        errors.add("unknown field \"" + field
            + "\" (expected: policy, localZone, minLocalHealthyPercent)");
      }
    }
    Policy policy = parsePolicy(rawConfig.get("policy"), errors);
    String localZone = parseLocalZone(rawConfig.get("localZone"), errors);
    int minLocalHealthyPercent = parsePercent(rawConfig.get("minLocalHealthyPercent"), errors);
    if (!errors.isEmpty()) {
      return ConfigOrError.fromError(
          Status.INVALID_ARGUMENT.withDescription(
              POLICY_NAME + " config: " + String.join("; ", errors)));
    }
    return ConfigOrError.fromConfig(
        new MeshLoadBalancerConfig(policy, localZone, minLocalHealthyPercent));
  }

  private static Policy parsePolicy(Object raw, List<String> errors) {
    if (raw == null) {
      return MeshLoadBalancerConfig.DEFAULT.policy();
    }
    Optional<Policy> policy =
        raw instanceof String name ? Policy.fromJsonName(name) : Optional.empty();
    if (policy.isEmpty()) {
      errors.add("policy: " + quoted(raw) + " (expected: " + Policy.jsonNames() + ")");
      return MeshLoadBalancerConfig.DEFAULT.policy();
    }
    return policy.get();
  }

  private static String parseLocalZone(Object raw, List<String> errors) {
    if (raw == null) {
      return "";
    }
    if (!(raw instanceof String zone)) {
      errors.add("localZone: " + quoted(raw) + " (expected: a string)");
      return "";
    }
    MeshLoadBalancerConfig.localZoneError(zone).ifPresent(errors::add);
    return zone;
  }

  private static int parsePercent(Object raw, List<String> errors) {
    if (raw == null) {
      return MeshLoadBalancerConfig.DEFAULT_MIN_LOCAL_HEALTHY_PERCENT;
    }
    if (!(raw instanceof Number number)
        || number.doubleValue() != Math.rint(number.doubleValue())) {
      errors.add("minLocalHealthyPercent: " + quoted(raw) + " (expected: an integer 0..100)");
      return MeshLoadBalancerConfig.DEFAULT_MIN_LOCAL_HEALTHY_PERCENT;
    }
    double value = number.doubleValue();
    if (value < 0 || value > 100) {
      errors.add(
          "minLocalHealthyPercent: " + number.longValue() + " (expected: an integer 0..100)");
      return MeshLoadBalancerConfig.DEFAULT_MIN_LOCAL_HEALTHY_PERCENT;
    }
    return (int) value;
  }

  private static String quoted(Object raw) {
    return raw instanceof String s ? "\"" + s + "\"" : String.valueOf(raw);
  }
}
