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

  private final String service;
  private final Subchannel subchannel;
  private final String instanceId;
  private final SocketAddress address;
  private final int weight;
  private final EndpointStats stats;
  private final InFlightTracerFactory tracerFactory;

  PickTarget(String service, Subchannel subchannel, String instanceId, SocketAddress address,
      int weight, EndpointStats stats) {
    this.service = requireNonNull(service, "service");
    this.subchannel = requireNonNull(subchannel, "subchannel");
    this.instanceId = requireNonNull(instanceId, "instanceId");
    this.address = requireNonNull(address, "address");
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
      holder.record(service, instanceId, address);
    }
    return PickResult.withSubchannel(subchannel, tracerFactory);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PickTarget that
        && subchannel == that.subchannel
        && stats == that.stats
        && weight == that.weight
        && instanceId.equals(that.instanceId)
        && service.equals(that.service);
  }

  @Override
  public int hashCode() {
    return Objects.hash(System.identityHashCode(subchannel), instanceId, weight);
  }

  @Override
  public String toString() {
    return service + "/" + instanceId + " weight=" + weight;
  }
}
