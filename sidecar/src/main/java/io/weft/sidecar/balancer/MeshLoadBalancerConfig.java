package io.weft.sidecar.balancer;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The configuration of the {@code weft_mesh} policy, as parsed from the service config JSON
 * {@code {"policy": "round_robin" | "least_request", "localZone": "a", "minLocalHealthyPercent":
 * 70}}. Immutable.
 *
 * @param policy how endpoints are chosen among the pickable ones
 * @param localZone the caller's zone; empty for no zone preference
 * @param minLocalHealthyPercent the share (0..100) of the local zone's SERVING endpoints that must
 *     be pickable for the balancer to stay in the local zone
 */
public record MeshLoadBalancerConfig(Policy policy, String localZone, int minLocalHealthyPercent) {

  private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9._-]{0,63}");

  /** The default share of pickable local endpoints below which picks spill over to every zone. */
  public static final int DEFAULT_MIN_LOCAL_HEALTHY_PERCENT = 70;

  /** Round robin, no zone preference. */
  public static final MeshLoadBalancerConfig DEFAULT =
      new MeshLoadBalancerConfig(Policy.ROUND_ROBIN, "", DEFAULT_MIN_LOCAL_HEALTHY_PERCENT);

  public MeshLoadBalancerConfig {
    requireNonNull(policy, "policy");
    requireNonNull(localZone, "localZone");
    Optional<String> error =
        localZoneError(localZone).or(() -> minLocalHealthyPercentError(minLocalHealthyPercent));
    if (error.isPresent()) {
      throw new IllegalArgumentException(error.get());
    }
  }

  /** Whether a local zone is set, so that picks prefer it. */
  public boolean zoneAware() {
    return !localZone.isEmpty();
  }

  /** This config as the JSON object (numbers as {@code Double}) that parses back to it. */
  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("policy", policy.jsonName());
    if (zoneAware()) {
      json.put("localZone", localZone);
    }
    json.put("minLocalHealthyPercent", (double) minLocalHealthyPercent);
    return json;
  }

  static Optional<String> localZoneError(String localZone) {
    return ZONE.matcher(localZone).matches()
        ? Optional.empty()
        : Optional.of(
            "localZone: \"" + localZone + "\" (expected: 0..63 characters of [A-Za-z0-9._-])");
  }

  static Optional<String> minLocalHealthyPercentError(long percent) {
    return percent >= 0 && percent <= 100
        ? Optional.empty()
        : Optional.of("minLocalHealthyPercent: " + percent + " (expected: 0..100)");
  }

  /** How the balancer chooses among pickable endpoints. */
  public enum Policy {
    /** Smooth weighted round robin. */
    ROUND_ROBIN("round_robin"),
    /** Power of two choices on calls in flight, weighted. */
    LEAST_REQUEST("least_request");

    private final String jsonName;

    Policy(String jsonName) {
      this.jsonName = jsonName;
    }

    /** The name used in the service config JSON. */
    public String jsonName() {
      return jsonName;
    }

    /** The policy with this JSON name, if any. */
    public static Optional<Policy> fromJsonName(String name) {
      return Arrays.stream(values()).filter(p -> p.jsonName.equals(name)).findFirst();
    }

    /** The JSON names, for error messages: {@code round_robin or least_request}. */
    static String jsonNames() {
      return Arrays.stream(values()).map(Policy::jsonName).collect(Collectors.joining(" or "));
    }
  }
}
