package io.weft.sidecar.balancer;

import static java.util.Objects.requireNonNull;

import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.LoadBalancer.Subchannel;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * One pickable endpoint as a picker sees it: an immutable snapshot of its subchannel, instance id
 * and weight, with the endpoint's counters. Equal when all of these are the same objects/values.
 */
final class PickTarget {

  private final Subchannel subchannel;
  private final PickedEndpoint endpoint;
  private final int weight;
  private final EndpointStats stats;
  private final InFlightTracerFactory tracerFactory;

  PickTarget(String service, Subchannel subchannel, String instanceId, SocketAddress address,
      int weight, EndpointStats stats) {
    this.subchannel = requireNonNull(subchannel, "subchannel");
    this.endpoint = new PickedEndpoint(service, instanceId, address);
    this.weight = weight;
    this.stats = requireNonNull(stats, "stats");
    this.tracerFactory = new InFlightTracerFactory(stats);
  }

  int weight() {
    return weight;
  }

  int inFlight() {
    return stats.inFlight();
  }

  /**
   * Picks this endpoint for a call: counts the pick, records it in the call's {@link
   * MeshCallOptions#PICKED_UPSTREAM} holder when there is one, and attaches the in-flight tracer.
   */
  PickResult pick(PickSubchannelArgs args) {
    stats.recordPick();
    PickedUpstream holder = args.getCallOptions().getOption(MeshCallOptions.PICKED_UPSTREAM);
    if (holder != null) {
      holder.record(endpoint);
    }
    return PickResult.withSubchannel(subchannel, tracerFactory);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PickTarget that
        && subchannel == that.subchannel
        && stats == that.stats
        && weight == that.weight
        && endpoint.instanceId().equals(that.endpoint.instanceId())
        && endpoint.service().equals(that.endpoint.service());
  }

  @Override
  public int hashCode() {
    return Objects.hash(System.identityHashCode(subchannel), endpoint.instanceId(), weight);
  }

  @Override
  public String toString() {
    return endpoint.describe() + " weight=" + weight;
  }
}
