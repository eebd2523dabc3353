package io.weft.sidecar.agent;

import static java.util.Objects.requireNonNull;

import io.weft.common.BackoffOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the registration agent registers and how it paces itself. Immutable; build with {@link
 * #builder()}.
 *
 * <p>The builder checks what the agent itself relies on (required fields present, ports, weights
 * and durations in range); the control plane validates the instance as a whole on Register.
 */
public final class AgentOptions {

  private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Duration MIN_LEASE_TTL = Duration.ofSeconds(1);
  private static final Duration MAX_LEASE_TTL = Duration.ofSeconds(300);

  private final String service;
  private final String instanceId;
  private final String advertisedAddress;
  private final int advertisedPort;
  private final String zone;
  private final int weight;
  private final Map<String, String> metadata;
  private final List<String> grpcServices;
  private final String nodeId;
  private final Duration leaseTtl;
  private final Duration healthCheckInterval;
  private final Duration healthCheckTimeout;
  private final Duration reflectionTimeout;
  private final Duration rpcTimeout;
  private final Duration drainConfirmTimeout;
  private final Duration inFlightDrainTimeout;
  private final BackoffOptions backoff;

  private AgentOptions(Builder b) {
    this.service = b.service;
    this.instanceId = b.instanceId;
    this.advertisedAddress = b.advertisedAddress;
    this.advertisedPort = b.advertisedPort;
    this.zone = b.zone;
    this.weight = b.weight;
    this.metadata = Map.copyOf(b.metadata);
    this.grpcServices = List.copyOf(b.grpcServices);
    this.nodeId = b.nodeId;
    this.leaseTtl = b.leaseTtl;
    this.healthCheckInterval = b.healthCheckInterval;
    this.healthCheckTimeout = b.healthCheckTimeout;
    this.reflectionTimeout = b.reflectionTimeout;
    this.rpcTimeout = b.rpcTimeout;
    this.drainConfirmTimeout = b.drainConfirmTimeout;
    this.inFlightDrainTimeout = b.inFlightDrainTimeout;
    this.backoff = b.backoff;
  }

  /** A builder with the defaults documented on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /** Mesh service name (a DNS-1123 label). */
  public String service() {
    return service;
  }

  /** Instance id within the service (in Kubernetes, the pod name). */
  public String instanceId() {
    return instanceId;
  }

  /** Address callers dial. */
  public String advertisedAddress() {
    return advertisedAddress;
  }

  /** Port callers dial: 1..65535. */
  public int advertisedPort() {
    return advertisedPort;
  }

  /** Zone of the instance; empty means unknown. */
  public String zone() {
    return zone;
  }

  /** Weight 1..1000, or 0 for the control plane's default (100). */
  public int weight() {
    return weight;
  }

  /** Free-form labels of the instance. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * gRPC service names from the command line: registered when the app has no server reflection
   * (or cannot be reached); reflection's answer wins when there is one.
   */
  public List<String> grpcServices() {
    return grpcServices;
  }

  /** Identity of this sidecar process, stable for its life. */
  public String nodeId() {
    return nodeId;
  }

  /** Lease TTL to ask for; empty means the control plane's default. */
  public Optional<Duration> leaseTtl() {
    return Optional.ofNullable(leaseTtl);
  }

  /** How often the app's health is checked (besides the Watch stream). */
  public Duration healthCheckInterval() {
    return healthCheckInterval;
  }

  /** How long a health check may take before the app counts as NOT_SERVING. */
  public Duration healthCheckTimeout() {
    return healthCheckTimeout;
  }

  /** Bound on asking the app's server reflection for its services. */
  public Duration reflectionTimeout() {
    return reflectionTimeout;
  }

  /** Bound on each Register and Deregister call. */
  public Duration rpcTimeout() {
    return rpcTimeout;
  }

  /** How long a drain waits for DRAIN_CONFIRMED. */
  public Duration drainConfirmTimeout() {
    return drainConfirmTimeout;
  }

  /** How long a drain waits for in-flight calls to finish. */
  public Duration inFlightDrainTimeout() {
    return inFlightDrainTimeout;
  }

  /** Reconnect backoff towards the control plane. */
  public BackoffOptions backoff() {
    return backoff;
  }

  /** {@code service/instanceId}, the way log lines name the instance. */
  String label() {
    return service + "/" + instanceId;
  }

  @Override
  public String toString() {
    return "AgentOptions{" + label() + " at " + advertisedAddress + ":" + advertisedPort
        + " zone=" + zone + " weight=" + weight + " node=" + nodeId + "}";
  }

  /** Builds {@link AgentOptions}; {@link #build()} validates. */
  public static final class Builder {
    private String service;
    private String instanceId;
    private String advertisedAddress;
    private int advertisedPort;
    private String zone = "";
    private int weight;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private List<String> grpcServices = List.of();
    private String nodeId;
    private Duration leaseTtl;
    private Duration healthCheckInterval = Duration.ofMillis(500);
    private Duration healthCheckTimeout = Duration.ofMillis(500);
    private Duration reflectionTimeout = Duration.ofSeconds(2);
    private Duration rpcTimeout = Duration.ofSeconds(5);
    private Duration drainConfirmTimeout = Duration.ofSeconds(10);
    private Duration inFlightDrainTimeout = Duration.ofSeconds(20);
    private BackoffOptions backoff = BackoffOptions.DEFAULT;

    private Builder() {}

    /** Required: the mesh service name. */
    public Builder service(String service) {
      this.service = requireNonNull(service, "service");
      return this;
    }

    /** Required: the instance id. */
    public Builder instanceId(String instanceId) {
      this.instanceId = requireNonNull(instanceId, "instanceId");
      return this;
    }

    /** Required: the address and port callers dial. */
    public Builder advertise(String address, int port) {
      this.advertisedAddress = requireNonNull(address, "address");
      this.advertisedPort = port;
      return this;
    }

    /** Zone; default empty (unknown). */
    public Builder zone(String zone) {
      this.zone = requireNonNull(zone, "zone");
      return this;
    }

    /** Weight 1..1000; default 0, the control plane's default (100). */
    public Builder weight(int weight) {
      this.weight = weight;
      return this;
    }

    /** Adds metadata entries. */
    public Builder metadata(Map<String, String> metadata) {
      requireNonNull(metadata, "metadata").forEach((k, v) -> this.metadata.put(
          requireNonNull(k, "metadata key"), requireNonNull(v, "metadata[" + k + "]")));
      return this;
    }

    /** gRPC service names to register when reflection gives none; default none. */
    public Builder grpcServices(List<String> grpcServices) {
      this.grpcServices = List.copyOf(requireNonNull(grpcServices, "grpcServices"));
      return this;
    }

    /** Required: this sidecar's node id. */
    public Builder nodeId(String nodeId) {
      this.nodeId = requireNonNull(nodeId, "nodeId");
      return this;
    }

    /** Lease TTL to ask for (1 s..300 s); default unset, the control plane's default. */
    public Builder leaseTtl(Duration leaseTtl) {
      this.leaseTtl = requireNonNull(leaseTtl, "leaseTtl");
      return this;
    }

    /** Default 500 ms. */
    public Builder healthCheckInterval(Duration interval) {
      this.healthCheckInterval = requireNonNull(interval, "healthCheckInterval");
      return this;
    }

    /** Default 500 ms. */
    public Builder healthCheckTimeout(Duration timeout) {
      this.healthCheckTimeout = requireNonNull(timeout, "healthCheckTimeout");
      return this;
    }

    /** Default 2 s. */
    public Builder reflectionTimeout(Duration timeout) {
      this.reflectionTimeout = requireNonNull(timeout, "reflectionTimeout");
      return this;
    }

    /** Bound on Register and Deregister calls; default 5 s. */
    public Builder rpcTimeout(Duration timeout) {
      this.rpcTimeout = requireNonNull(timeout, "rpcTimeout");
      return this;
    }

    /** Default 10 s. */
    public Builder drainConfirmTimeout(Duration timeout) {
      this.drainConfirmTimeout = requireNonNull(timeout, "drainConfirmTimeout");
      return this;
    }

    /** Default 20 s. */
    public Builder inFlightDrainTimeout(Duration timeout) {
      this.inFlightDrainTimeout = requireNonNull(timeout, "inFlightDrainTimeout");
      return this;
    }

    /** Default {@link BackoffOptions#DEFAULT}. */
    public Builder backoff(BackoffOptions backoff) {
      this.backoff = requireNonNull(backoff, "backoff");
      return this;
    }

    /** Validates and builds. */
    public AgentOptions build() {
      required("service", service);
      if (!DNS_1123_LABEL.matcher(service).matches()) {
        throw new IllegalArgumentException(
            "service: '" + service + "' (expected: a DNS-1123 label, [a-z0-9-], 1..63 characters)");
      }
      required("instanceId", instanceId);
      required("advertisedAddress", advertisedAddress);
      required("nodeId", nodeId);
      if (advertisedPort < 1 || advertisedPort > 65535) {
        throw new IllegalArgumentException(
            "advertisedPort: " + advertisedPort + " (expected: 1..65535)");
      }
      if (weight < 0 || weight > 1000) {
        throw new IllegalArgumentException(
            "weight: " + weight + " (expected: 1..1000, or 0 for the default)");
      }
      if (leaseTtl != null
          && (leaseTtl.compareTo(MIN_LEASE_TTL) < 0 || leaseTtl.compareTo(MAX_LEASE_TTL) > 0)) {
        throw new IllegalArgumentException("leaseTtl: " + leaseTtl + " (expected: 1s..300s)");
      }
      positive("healthCheckInterval", healthCheckInterval);
      positive("healthCheckTimeout", healthCheckTimeout);
      positive("reflectionTimeout", reflectionTimeout);
      positive("rpcTimeout", rpcTimeout);
      positive("drainConfirmTimeout", drainConfirmTimeout);
      positive("inFlightDrainTimeout", inFlightDrainTimeout);
      if (drainConfirmTimeout.plus(inFlightDrainTimeout).compareTo(MAX_LEASE_TTL) > 0) {
        throw new IllegalArgumentException("drainConfirmTimeout + inFlightDrainTimeout: "
            + drainConfirmTimeout.plus(inFlightDrainTimeout)
            + " (expected: <= 300s, the longest drain grace)");
      }
      return new AgentOptions(this);
    }

    private static void required(String name, String value) {
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException(
            name + ": '" + (value == null ? "" : value) + "' (expected: non-empty)");
      }
    }

    private static void positive(String name, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
    }
  }
}
