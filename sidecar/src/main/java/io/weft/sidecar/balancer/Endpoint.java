package io.weft.sidecar.balancer;

import static io.grpc.ConnectivityState.CONNECTING;
import static io.grpc.ConnectivityState.IDLE;
import static io.grpc.ConnectivityState.READY;
import static io.grpc.ConnectivityState.TRANSIENT_FAILURE;
import static java.util.Objects.requireNonNull;

import com.google.common.net.HostAndPort;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.LoadBalancer.Subchannel;
import io.grpc.Status;
import io.weft.mesh.v1.HealthStatus;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One endpoint of the balancer: its subchannel (kept for the endpoint's whole life, whatever its
 * weight or health), what the resolver last said about it, and its connectivity state. Mutable;
 * used only in the balancer's synchronization context.
 *
 * <p>The state is sticky in TRANSIENT_FAILURE, as grpc-java's pick_first: once the subchannel
 * failed, reconnection attempts (CONNECTING, IDLE) keep it in TRANSIENT_FAILURE until it is READY.
 */
final class Endpoint {

  private final List<SocketAddress> key;
  private final String address;
  private final Subchannel subchannel;
  private final EndpointStats stats;
  private EndpointInfo info;
  private ConnectivityState rawState = IDLE;
  private ConnectivityState state = CONNECTING;
  private Status lastError;
  private PickTarget target;

  Endpoint(List<SocketAddress> key, Subchannel subchannel, EndpointInfo info) {
    this.key = List.copyOf(key);
    this.address = describe(key);
    this.subchannel = requireNonNull(subchannel, "subchannel");
    this.info = requireNonNull(info, "info");
    this.stats = new EndpointStats(address, info.instanceId(), info.zone(), info.weight(),
        info.health(), state);
  }

  /** {@code host:port} of each address, comma-separated. */
  static String describe(List<SocketAddress> addresses) {
    return addresses.stream().map(Endpoint::describe).collect(Collectors.joining(","));
  }

  private static String describe(SocketAddress address) {
    return address instanceof InetSocketAddress inet
        ? HostAndPort.fromParts(inet.getHostString(), inet.getPort()).toString()
        : String.valueOf(address);
  }

  List<SocketAddress> key() {
    return key;
  }

  String address() {
    return address;
  }

  Subchannel subchannel() {
    return subchannel;
  }

  EndpointStats stats() {
    return stats;
  }

  EndpointInfo info() {
    return info;
  }

  /** Replaces what the resolver says; returns the previous info. */
  EndpointInfo update(EndpointInfo newInfo) {
    EndpointInfo previous = info;
    info = requireNonNull(newInfo, "newInfo");
    if (!previous.equals(newInfo)) {
      target = null;
    }
    return previous;
  }

  /** Applies a subchannel state (never SHUTDOWN). */
  void onState(ConnectivityStateInfo newState) {
    rawState = newState.getState();
    switch (rawState) {
      case READY -> {
        state = READY;
        lastError = null;
      }
      case TRANSIENT_FAILURE -> {
        state = TRANSIENT_FAILURE;
        lastError = newState.getStatus();
      }
      case CONNECTING, IDLE -> {
        if (state != TRANSIENT_FAILURE) {
          state = rawState;
        }
      }
      default -> throw new IllegalArgumentException("newState: " + newState);
    }
  }

  /** Whether the subchannel is IDLE, so that it needs {@code requestConnection()} to connect. */
  boolean idle() {
    return rawState == IDLE;
  }

  /** Whether this endpoint should hold a connection: anything but DRAINING. */
  boolean wantsConnection() {
    return info.health() != HealthStatus.DRAINING;
  }

  ConnectivityState state() {
    return state;
  }

  /** The status of the last connection failure since the last READY, or null. */
  Status lastError() {
    return lastError;
  }

  PickTarget target(String service) {
    if (target == null) {
      target = new PickTarget(service, subchannel, info.instanceId(), key.get(0), info.weight(),
          stats);
    }
    return target;
  }

  /** Publishes what the balancer now sees of this endpoint to its counters. */
  void syncStats() {
    stats.update(info.instanceId(), info.zone(), info.weight(), info.health(), state);
  }

  @Override
  public String toString() {
    return info.instanceId() + "@" + address + " " + state;
  }
}
