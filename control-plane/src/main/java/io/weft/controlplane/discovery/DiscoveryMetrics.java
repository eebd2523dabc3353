package io.weft.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/** The discovery server's Micrometer meters. Thread-safe. */
final class DiscoveryMetrics {

  static final String CONNECTED_SIDECARS = "weft_discovery_connected_sidecars";
  static final String PUSHES = "weft_discovery_pushes_total";
  static final String PUSH_LATENCY = "weft_discovery_push_latency_seconds";
  static final String ACKS = "weft_discovery_acks_total";
  static final String NACKS = "weft_discovery_nacks_total";

  private final Counter pushes;
  private final Counter acks;
  private final Counter nacks;
  private final Timer pushLatency;

  /** Registers the meters; the gauge reads the size of {@code connected}. */
  DiscoveryMetrics(MeterRegistry registry, Collection<?> connected) {
    requireNonNull(registry, "registry");
    requireNonNull(connected, "connected");
    Gauge.builder(CONNECTED_SIDECARS, connected, Collection::size)
        .description("Sidecars with an open discovery stream")
        .register(registry);
    pushes =
        Counter.builder(PUSHES).description("Discovery responses sent").register(registry);
    acks = Counter.builder(ACKS).description("Discovery responses ACKed").register(registry);
    nacks = Counter.builder(NACKS).description("Discovery responses NACKed").register(registry);
    pushLatency =
        Timer.builder(PUSH_LATENCY)
            .description("Time from a registry change to the response carrying it being written")
            .publishPercentileHistogram()
            .register(registry);
  }

  /** A response was written; {@code latencyNanos} is negative when no registry change led to it. */
  void pushed(long latencyNanos) {
    pushes.increment();
    if (latencyNanos >= 0) {
      pushLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
    }
  }

  void acked() {
    acks.increment();
  }

  void nacked() {
    nacks.increment();
  }

  long pushes() {
    return (long) pushes.count();
  }

  long acks() {
    return (long) acks.count();
  }

  long nacks() {
    return (long) nacks.count();
  }
}
