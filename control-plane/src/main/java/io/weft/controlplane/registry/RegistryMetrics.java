package io.weft.controlplane.registry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.weft.mesh.v1.HealthStatus;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry's meters: {@code weft_registry_instances} (by {@code health}), {@code
 * weft_registry_revision}, {@code weft_registry_changes_total}, {@code weft_leases_expired_total}
 * and {@code weft_registry_self_preservation} (1 while expiry is suspended).
 */
final class RegistryMetrics {

  static final HealthStatus[] HEALTH_STATES = {
    HealthStatus.SERVING, HealthStatus.NOT_SERVING, HealthStatus.DRAINING
  };

  private final Map<HealthStatus, AtomicLong> instances = new EnumMap<>(HealthStatus.class);
  private final AtomicLong revision = new AtomicLong();
  private final AtomicLong selfPreservation = new AtomicLong();
  private final Counter changes;
  private final Counter expired;

  RegistryMetrics(MeterRegistry meters) {
    for (HealthStatus health : HEALTH_STATES) {
      AtomicLong count = new AtomicLong();
      instances.put(health, count);
      Gauge.builder("weft_registry_instances", count, AtomicLong::get)
          .description("Registered instances by health")
          .tag("health", health.name().toLowerCase(Locale.ROOT))
          .register(meters);
    }
    Gauge.builder("weft_registry_revision", revision, AtomicLong::get)
        .description("Current registry revision")
        .register(meters);
    Gauge.builder("weft_registry_self_preservation", selfPreservation, AtomicLong::get)
        .description("1 while lease expiry is suspended by self-preservation")
        .register(meters);
    changes =
        Counter.builder("weft_registry_changes_total")
            .description("Published registry changes")
            .register(meters);
    expired =
        Counter.builder("weft_leases_expired_total")
            .description("Leases that expired without renewal")
            .register(meters);
  }

  /** Records a published change and the instance counts after it. */
  void changed(long newRevision, SnapshotBuilder state) {
    revision.set(newRevision);
    changes.increment();
    for (HealthStatus health : HEALTH_STATES) {
      instances.get(health).set(state.count(health));
    }
  }

  void leaseExpired() {
    expired.increment();
  }

  void selfPreservation(boolean active) {
    selfPreservation.set(active ? 1 : 0);
  }
}
