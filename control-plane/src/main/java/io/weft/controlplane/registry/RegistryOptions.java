package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;

import io.weft.common.ProtoDurations;
import java.time.Duration;

/**
 * Tunables of a {@link Registry}.
 *
 * @param defaultLeaseTtl the TTL granted when a registration asks for none ({@code --lease-ttl});
 *     also the window self-preservation looks at; 1 s..300 s
 * @param defaultDrainGrace how long a deregistered instance stays DRAINING when the request names
 *     no grace ({@code --drain-grace}); 0 s..300 s
 * @param maxExpiryFraction the share of all leases that may expire within one {@code
 *     defaultLeaseTtl} before expiry is suspended ({@code --max-expiry-fraction}); 0..1
 */
public record RegistryOptions(
    Duration defaultLeaseTtl, Duration defaultDrainGrace, double maxExpiryFraction) {

  /** The longest drain grace a deregistration may ask for. */
  public static final Duration MAX_DRAIN_GRACE = Duration.ofSeconds(300);

  public RegistryOptions {
    requireNonNull(defaultLeaseTtl, "defaultLeaseTtl");
    requireNonNull(defaultDrainGrace, "defaultDrainGrace");
    if (defaultLeaseTtl.compareTo(InstanceValidator.MIN_LEASE_TTL) < 0
        || defaultLeaseTtl.compareTo(InstanceValidator.MAX_LEASE_TTL) > 0) {
      throw new IllegalArgumentException(
          "defaultLeaseTtl: " + ProtoDurations.describe(defaultLeaseTtl) + " (expected: 1s..300s)");
    }
    if (defaultDrainGrace.isNegative() || defaultDrainGrace.compareTo(MAX_DRAIN_GRACE) > 0) {
      throw new IllegalArgumentException(
          "defaultDrainGrace: "
              + ProtoDurations.describe(defaultDrainGrace)
              + " (expected: 0s..300s)");
    }
    if (!(maxExpiryFraction >= 0 && maxExpiryFraction <= 1)) {
      throw new IllegalArgumentException(
          "maxExpiryFraction: " + maxExpiryFraction + " (expected: 0..1)");
    }
  }

  /** Lease TTL 10 s, drain grace 30 s, at most half the leases expiring per TTL. */
  public static RegistryOptions defaults() {
    return new RegistryOptions(Duration.ofSeconds(10), Duration.ofSeconds(30), 0.5);
  }

  /** These options with another default lease TTL. */
  public RegistryOptions withDefaultLeaseTtl(Duration ttl) {
    return new RegistryOptions(ttl, defaultDrainGrace, maxExpiryFraction);
  }

  /** These options with another default drain grace. */
  public RegistryOptions withDefaultDrainGrace(Duration grace) {
    return new RegistryOptions(defaultLeaseTtl, grace, maxExpiryFraction);
  }

  /** These options with another self-preservation threshold. */
  public RegistryOptions withMaxExpiryFraction(double fraction) {
    return new RegistryOptions(defaultLeaseTtl, defaultDrainGrace, fraction);
  }
}
