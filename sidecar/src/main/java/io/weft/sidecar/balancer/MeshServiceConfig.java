package io.weft.sidecar.balancer;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.weft.sidecar.balancer.MeshLoadBalancerConfig.Policy;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a mesh channel's default service config asks of grpc-java, as a small immutable options
 * object: the {@code weft_mesh} policy and its zone preference, grpc-java's outlier detection
 * around it (on by default), and optionally a retry policy and a per-call timeout for every
 * method (both off by default). {@link #toServiceConfig()} gives the map for {@link
 * ManagedChannelBuilder#defaultServiceConfig}.
 *
 * <p>Outlier detection ({@code outlier_detection_experimental}, default settings): every {@value
 * #OUTLIER_INTERVAL_SECONDS} s, an endpoint that failed more than {@value
 * #OUTLIER_FAILURE_PERCENT} % of at least {@value #OUTLIER_REQUEST_VOLUME} calls is ejected for
 * {@value #OUTLIER_BASE_EJECTION_SECONDS} s (times the number of its ejections, at most {@value
 * #OUTLIER_MAX_EJECTION_SECONDS} s), when the service has at least {@value
 * #OUTLIER_MINIMUM_HOSTS} endpoints with that volume and fewer than {@value
 * #OUTLIER_MAX_EJECTION_PERCENT} % of them are ejected. The balancer sees an ejected endpoint as
 * TRANSIENT_FAILURE.
 */
public final class MeshServiceConfig {

  static final int OUTLIER_INTERVAL_SECONDS = 10;
  static final int OUTLIER_BASE_EJECTION_SECONDS = 30;
  static final int OUTLIER_MAX_EJECTION_SECONDS = 300;
  static final int OUTLIER_MAX_EJECTION_PERCENT = 50;
  static final int OUTLIER_FAILURE_PERCENT = 50;
  static final int OUTLIER_MINIMUM_HOSTS = 3;
  static final int OUTLIER_REQUEST_VOLUME = 20;

  private final MeshLoadBalancerConfig balancer;
  private final boolean outlierDetection;
  private final RetryPolicy retryPolicy;
  private final Duration timeout;

  private MeshServiceConfig(Builder builder) {
    this.balancer = new MeshLoadBalancerConfig(
        builder.policy, builder.localZone, builder.minLocalHealthyPercent);
    this.outlierDetection = builder.outlierDetection;
    this.retryPolicy = builder.retryPolicy;
    this.timeout = builder.timeout;
  }

  /** Round robin, no zone preference, outlier detection on, no retries, no timeout. */
  public static MeshServiceConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The {@code weft_mesh} config. */
  public MeshLoadBalancerConfig balancer() {
    return balancer;
  }

  public boolean outlierDetection() {
    return outlierDetection;
  }

  public Optional<RetryPolicy> retryPolicy() {
    return Optional.ofNullable(retryPolicy);
  }

  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /**
   * The service config as grpc-java reads it (JSON types: numbers as {@code Double}), for {@link
   * ManagedChannelBuilder#defaultServiceConfig}.
   */
  public Map<String, ?> toServiceConfig() {
    Map<String, Object> policy = Map.of(MeshLoadBalancerProvider.POLICY_NAME, balancer.toJson());
    if (outlierDetection) {
      policy = Map.of("outlier_detection_experimental", outlierDetectionJson(policy));
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("loadBalancingConfig", List.of(policy));
    if (retryPolicy != null || timeout != null) {
      Map<String, Object> methodConfig = new LinkedHashMap<>();
      methodConfig.put("name", List.of(Map.of()));
      if (timeout != null) {
        methodConfig.put("timeout", durationJson(timeout));
      }
      if (retryPolicy != null) {
        methodConfig.put("retryPolicy", retryPolicy.toJson());
      }
      config.put("methodConfig", List.of(methodConfig));
    }
    return config;
  }

  private static Map<String, Object> outlierDetectionJson(Map<String, Object> childPolicy) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("interval", OUTLIER_INTERVAL_SECONDS + "s");
    json.put("baseEjectionTime", OUTLIER_BASE_EJECTION_SECONDS + "s");
    json.put("maxEjectionTime", OUTLIER_MAX_EJECTION_SECONDS + "s");
    json.put("maxEjectionPercentage", (double) OUTLIER_MAX_EJECTION_PERCENT);
    json.put("failurePercentageEjection", Map.of(
        "threshold", (double) OUTLIER_FAILURE_PERCENT,
        "enforcementPercentage", 100.0,
        "minimumHosts", (double) OUTLIER_MINIMUM_HOSTS,
        "requestVolume", (double) OUTLIER_REQUEST_VOLUME));
    json.put("childPolicy", List.of(childPolicy));
    return json;
  }

  /** A duration as the service config writes it: {@code "1.500000000s"}. */
  static String durationJson(Duration duration) {
    return duration.getNano() == 0
        ? duration.getSeconds() + "s"
        : String.format("%d.%09ds", duration.getSeconds(), duration.getNano());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MeshServiceConfig that
        && balancer.equals(that.balancer)
        && outlierDetection == that.outlierDetection
        && Objects.equals(retryPolicy, that.retryPolicy)
        && Objects.equals(timeout, that.timeout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(balancer, outlierDetection, retryPolicy, timeout);
  }

  @Override
  public String toString() {
    return "MeshServiceConfig" + toServiceConfig();
  }

  /**
   * grpc-java's retry policy for every method of the channel.
   *
   * @param maxAttempts attempts including the first, 2..5 (grpc-java caps at 5)
   * @param initialBackoff the first backoff, positive
   * @param maxBackoff the longest backoff, at least {@code initialBackoff}
   * @param backoffMultiplier how much each backoff grows, at least 1
   * @param retryableStatusCodes the codes that are retried, not empty, never OK
   */
  public record RetryPolicy(
      int maxAttempts,
      Duration initialBackoff,
      Duration maxBackoff,
      double backoffMultiplier,
      Set<Status.Code> retryableStatusCodes) {

    public RetryPolicy {
      requireNonNull(initialBackoff, "initialBackoff");
      requireNonNull(maxBackoff, "maxBackoff");
      retryableStatusCodes = Set.copyOf(retryableStatusCodes);
      if (maxAttempts < 2 || maxAttempts > 5) {
        throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: 2..5)");
      }
      if (initialBackoff.isNegative() || initialBackoff.isZero()) {
        throw new IllegalArgumentException(
            "initialBackoff: " + initialBackoff + " (expected: > 0)");
      }
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "maxBackoff: " + maxBackoff + " (expected: >= initialBackoff " + initialBackoff + ")");
      }
      if (!(backoffMultiplier >= 1)) {
        throw new IllegalArgumentException(
            "backoffMultiplier: " + backoffMultiplier + " (expected: >= 1)");
      }
      if (retryableStatusCodes.isEmpty() || retryableStatusCodes.contains(Status.Code.OK)) {
        throw new IllegalArgumentException("retryableStatusCodes: " + retryableStatusCodes
            + " (expected: at least one code, not OK)");
      }
    }

    /** 3 attempts, backoff 100 ms growing 2x to 1 s, retrying UNAVAILABLE. */
    public static RetryPolicy defaults() {
      return new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1), 2.0,
          EnumSet.of(Status.Code.UNAVAILABLE));
    }

    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("maxAttempts", (double) maxAttempts);
      json.put("initialBackoff", durationJson(initialBackoff));
      json.put("maxBackoff", durationJson(maxBackoff));
      json.put("backoffMultiplier", backoffMultiplier);
      json.put("retryableStatusCodes",
          retryableStatusCodes.stream().map(Status.Code::name).sorted().toList());
      return json;
    }
  }

  /** Builds a {@link MeshServiceConfig}; every setting is optional. */
  public static final class Builder {
    private Policy policy = Policy.ROUND_ROBIN;
    private String localZone = "";
    private int minLocalHealthyPercent = MeshLoadBalancerConfig.DEFAULT_MIN_LOCAL_HEALTHY_PERCENT;
    private boolean outlierDetection = true;
    private RetryPolicy retryPolicy;
    private Duration timeout;

    private Builder() {}

    public Builder policy(Policy policy) {
      this.policy = requireNonNull(policy, "policy");
      return this;
    }

    /** The caller's zone, preferred while it has enough pickable endpoints; empty for none. */
    public Builder localZone(String localZone) {
      this.localZone = requireNonNull(localZone, "localZone");
      return this;
    }

    public Builder minLocalHealthyPercent(int minLocalHealthyPercent) {
      this.minLocalHealthyPercent = minLocalHealthyPercent;
      return this;
    }

    public Builder outlierDetection(boolean outlierDetection) {
      this.outlierDetection = outlierDetection;
      return this;
    }

    /** Retries every method by this policy; null for none. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = retryPolicy;
      return this;
    }

    /** The deadline of every call that sets none; null for none. */
    public Builder timeout(Duration timeout) {
      if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
        throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the bad setting
     */
    public MeshServiceConfig build() {
      return new MeshServiceConfig(this);
    }
  }
}
