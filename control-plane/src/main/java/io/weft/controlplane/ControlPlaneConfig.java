package io.weft.controlplane;

import static java.util.Objects.requireNonNull;

import io.weft.controlplane.discovery.DiscoveryOptions;
import io.weft.controlplane.registration.RegistrationServiceImpl;
import io.weft.controlplane.registry.RegistryOptions;
import java.time.Clock;
import java.time.Duration;

/**
 * Everything a {@link ControlPlane} is started with; one field per {@link ControlPlaneMain} flag.
 * Immutable and validated as a whole: each error names the field, the value and what was expected.
 *
 * @param bindAddress the address both servers listen on, such as {@code 0.0.0.0}
 * @param grpcPort registration and discovery (gRPC); 0 picks a free port
 * @param adminPort health, metrics and JSON views (HTTP); 0 picks a free port
 * @param leaseTtl the lease TTL granted when a registration asks for none; 1 s..300 s
 * @param debounce how long registry changes are collected before they are pushed; >= 0
 * @param warmup the restart-safety window after start; zero disables it
 * @param drainGrace how long a deregistered instance stays DRAINING by default; 0 s..300 s
 * @param drainConfirmTimeout how long a drain waits for every subscribed sidecar's ACK; > 0
 * @param maxExpiryFraction the share of leases that may expire within one lease TTL before
 *     self-preservation suspends expiry; 0..1
 * @param controlPlaneId identifies this process in every discovery response; non-empty
 */
public record ControlPlaneConfig(
    String bindAddress,
    int grpcPort,
    int adminPort,
    Duration leaseTtl,
    Duration debounce,
    Duration warmup,
    Duration drainGrace,
    Duration drainConfirmTimeout,
    double maxExpiryFraction,
    String controlPlaneId) {

  /** The gRPC port users know from Istio's istiod. */
  public static final int DEFAULT_GRPC_PORT = 15010;

  /** The admin HTTP port users know from Istio's istiod. */
  public static final int DEFAULT_ADMIN_PORT = 15014;

  public ControlPlaneConfig {
    requireNonNull(bindAddress, "bindAddress");
    requireNonNull(leaseTtl, "leaseTtl");
    requireNonNull(debounce, "debounce");
    requireNonNull(warmup, "warmup");
    requireNonNull(drainGrace, "drainGrace");
    requireNonNull(drainConfirmTimeout, "drainConfirmTimeout");
    requireNonNull(controlPlaneId, "controlPlaneId");
    if (bindAddress.isBlank()) {
      throw new IllegalArgumentException("bindAddress: \"\" (expected: an address to listen on)");
    }
    checkPort("grpcPort", grpcPort);
    checkPort("adminPort", adminPort);
    if (drainConfirmTimeout.isNegative() || drainConfirmTimeout.isZero()) {
      throw new IllegalArgumentException(
          "drainConfirmTimeout: " + drainConfirmTimeout + " (expected: > 0)");
    }
    // The options records check the remaining ranges.
    new RegistryOptions(leaseTtl, drainGrace, maxExpiryFraction);
    new DiscoveryOptions(debounce, warmup, controlPlaneId, Clock.systemUTC());
  }

  /** A builder starting from the defaults (ports 15010/15014 on 0.0.0.0, TTL 10 s, ...). */
  public static Builder builder(String controlPlaneId) {
    return new Builder(controlPlaneId);
  }

  /** The registry's part of this configuration. */
  public RegistryOptions registryOptions() {
    return new RegistryOptions(leaseTtl, drainGrace, maxExpiryFraction);
  }

  /** The discovery server's part of this configuration (wall clock: the system's, UTC). */
  public DiscoveryOptions discoveryOptions() {
    return DiscoveryOptions.of(controlPlaneId).withDebounce(debounce).withWarmup(warmup);
  }

  private static void checkPort(String field, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(field + ": " + port + " (expected: 0..65535)");
    }
  }

  /**
   * Builds a {@link ControlPlaneConfig}. The warm-up window defaults to the lease TTL, whatever
   * the TTL is set to, unless {@link #warmup} sets it.
   */
  public static final class Builder {
    private final String controlPlaneId;
    private String bindAddress = "0.0.0.0";
    private int grpcPort = DEFAULT_GRPC_PORT;
    private int adminPort = DEFAULT_ADMIN_PORT;
    private Duration leaseTtl = RegistryOptions.defaults().defaultLeaseTtl();
    private Duration debounce = DiscoveryOptions.DEFAULT_DEBOUNCE;
    private Duration warmup;
    private Duration drainGrace = RegistryOptions.defaults().defaultDrainGrace();
    private Duration drainConfirmTimeout = RegistrationServiceImpl.DEFAULT_DRAIN_CONFIRM_TIMEOUT;
    private double maxExpiryFraction = RegistryOptions.defaults().maxExpiryFraction();

    private Builder(String controlPlaneId) {
      this.controlPlaneId = requireNonNull(controlPlaneId, "controlPlaneId");
    }

    public Builder bindAddress(String bindAddress) {
      this.bindAddress = requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    public Builder grpcPort(int grpcPort) {
      this.grpcPort = grpcPort;
      return this;
    }

    public Builder adminPort(int adminPort) {
      this.adminPort = adminPort;
      return this;
    }

    public Builder leaseTtl(Duration leaseTtl) {
      this.leaseTtl = requireNonNull(leaseTtl, "leaseTtl");
      return this;
    }

    public Builder debounce(Duration debounce) {
      this.debounce = requireNonNull(debounce, "debounce");
      return this;
    }

    /** The warm-up window; null means one lease TTL. */
    public Builder warmup(Duration warmup) {
      this.warmup = warmup;
      return this;
    }

    public Builder drainGrace(Duration drainGrace) {
      this.drainGrace = requireNonNull(drainGrace, "drainGrace");
      return this;
    }

    public Builder drainConfirmTimeout(Duration drainConfirmTimeout) {
      this.drainConfirmTimeout = requireNonNull(drainConfirmTimeout, "drainConfirmTimeout");
      return this;
    }

    public Builder maxExpiryFraction(double maxExpiryFraction) {
      this.maxExpiryFraction = maxExpiryFraction;
      return this;
    }

    /** The configuration; throws {@link IllegalArgumentException} naming a bad field. */
    public ControlPlaneConfig build() {
      return new ControlPlaneConfig(
          bindAddress,
          grpcPort,
          adminPort,
          leaseTtl,
          debounce,
          warmup != null ? warmup : leaseTtl,
          drainGrace,
          drainConfirmTimeout,
          maxExpiryFraction,
          controlPlaneId);
    }
  }
}
