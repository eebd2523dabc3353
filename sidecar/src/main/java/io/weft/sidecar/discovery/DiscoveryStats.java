package io.weft.sidecar.discovery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * The discovery client's counts, mirrored to Micrometer when a registry is given. Counts are
 * changed from the client's synchronization context; the connected gauge may be read anywhere.
 */
final class DiscoveryStats {

  private final MeterRegistry registry;
  private final Counter responsesCounter;
  private final Counter acksCounter;
  private final Counter nacksCounter;
  private final Counter reconnectsCounter;
  private final List<Meter> meters;
  private long responses;
  private long acks;
  private long nacks;
  private long reconnects;
  private volatile boolean connected;

  /** Counts only, or counts and meters if {@code registry} is not null. */
  DiscoveryStats(MeterRegistry registry) {
    this.registry = registry;
    if (registry == null) {
      responsesCounter = null;
      acksCounter = null;
      nacksCounter = null;
      reconnectsCounter = null;
      meters = List.of();
      return;
    }
    responsesCounter = counter(registry, "weft_discovery_client_responses", "responses received");
    acksCounter = counter(registry, "weft_discovery_client_acks", "responses accepted");
    nacksCounter = counter(registry, "weft_discovery_client_nacks", "responses refused");
    reconnectsCounter =
        counter(registry, "weft_discovery_client_reconnects", "streams opened after the first");
    Gauge connectedGauge =
        Gauge.builder("weft_discovery_client_connected", this, s -> s.connected ? 1 : 0)
            .description("1 while a discovery stream is open and has received a response")
            .strongReference(true)
            .register(registry);
    meters =
        List.of(responsesCounter, acksCounter, nacksCounter, reconnectsCounter, connectedGauge);
  }

  private static Counter counter(MeterRegistry registry, String name, String description) {
    return Counter.builder(name).description(description).register(registry);
  }

  void response() {
    responses++;
    increment(responsesCounter);
  }

  void ack() {
    acks++;
    increment(acksCounter);
  }

  void nack() {
    nacks++;
    increment(nacksCounter);
  }

  void reconnect() {
    reconnects++;
    increment(reconnectsCounter);
  }

  void connected(boolean connected) {
    this.connected = connected;
  }

  DiscoveryClientDump.Counts counts() {
    return new DiscoveryClientDump.Counts(responses, acks, nacks, reconnects);
  }

  /** Removes the meters from the registry. */
  void close() {
    for (Meter meter : meters) {
      registry.remove(meter);
    }
  }

  private static void increment(Counter counter) {
    if (counter != null) {
      counter.increment();
    }
  }
}
