package io.weft.sidecar.balancer;

import static java.util.Objects.requireNonNull;

import io.grpc.ConnectivityState;
import io.weft.mesh.v1.HealthStatus;
import io.weft.sidecar.balancer.ClusterStats.EndpointSnapshot;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one endpoint: picks (by the picker, on any thread), calls in flight (by the
 * stream tracer the picker attaches) and what the balancer last saw of it (written in the
 * balancer's synchronization context). Identity equality: one object per endpoint per balancer.
 */
final class EndpointStats {

  private final String address;
  private final LongAdder picks = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile View view;

  EndpointStats(
      String address,
      String instanceId,
      String zone,
      int weight,
      HealthStatus health,
      ConnectivityState state) {
    this.address = requireNonNull(address, "address");
    update(instanceId, zone, weight, health, state);
  }

  /** Records what the balancer now sees of the endpoint. */
  void update(
      String instanceId, String zone, int weight, HealthStatus health, ConnectivityState state) {
    view = new View(instanceId, zone, weight, health, state);
  }

  void recordPick() {
    picks.increment();
  }

  void callStarted() {
    inFlight.incrementAndGet();
  }

  void callEnded() {
    inFlight.decrementAndGet();
  }

  int inFlight() {
    return inFlight.get();
  }

  EndpointSnapshot snapshot() {
    View v = view;
    return new EndpointSnapshot(
        v.instanceId, address, v.zone, v.weight, v.health, v.state, picks.sum(), inFlight.get());
  }

  private record View(
      String instanceId, String zone, int weight, HealthStatus health, ConnectivityState state) {
    View {
      requireNonNull(instanceId, "instanceId");
      requireNonNull(zone, "zone");
      requireNonNull(health, "health");
      requireNonNull(state, "state");
    }
  }
}
