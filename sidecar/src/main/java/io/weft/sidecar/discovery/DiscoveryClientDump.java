package io.weft.sidecar.discovery;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.ServiceEndpoints;
import java.time.Duration;

/**
 * What the discovery client holds and how its stream stands, for the sidecar's
 * {@code /config_dump}: an immutable snapshot.
 *
 * @param nodeId the sidecar's node id
 * @param controlPlaneTarget the authority of the channel to the control plane
 * @param connected whether a stream is open and has received at least one response
 * @param controlPlaneId the control plane process of the last response; empty before one
 * @param lastReceivedVersion version_info of the last response received; empty before one
 * @param lastReceivedNonce nonce of the last response received; empty before one
 * @param lastAckedVersion version_info of the last response accepted; empty before one
 * @param lastNack the last response refused, or null if none was
 * @param sinceLastResponse time since the last response was received, or null before one
 * @param subscribedServices every watched mesh service, held or not
 * @param subscribedRoutes every watched route (gRPC service name), held or not
 * @param services every held endpoint set by service name; each carries its revision
 * @param routes every held route by gRPC service name; each carries its revision
 * @param counts what happened since the client started
 */
public record DiscoveryClientDump(
    String nodeId,
    String controlPlaneTarget,
    boolean connected,
    String controlPlaneId,
    String lastReceivedVersion,
    String lastReceivedNonce,
    String lastAckedVersion,
    Nack lastNack,
    Duration sinceLastResponse,
    ImmutableSortedSet<String> subscribedServices,
    ImmutableSortedSet<String> subscribedRoutes,
    ImmutableSortedMap<String, ServiceEndpoints> services,
    ImmutableSortedMap<String, GrpcRoute> routes,
    Counts counts) {

  /** Checks that every field but the nullable ones is set. */
  public DiscoveryClientDump {
    requireNonNull(nodeId, "nodeId");
    requireNonNull(controlPlaneTarget, "controlPlaneTarget");
    requireNonNull(controlPlaneId, "controlPlaneId");
    requireNonNull(lastReceivedVersion, "lastReceivedVersion");
    requireNonNull(lastReceivedNonce, "lastReceivedNonce");
    requireNonNull(lastAckedVersion, "lastAckedVersion");
    requireNonNull(subscribedServices, "subscribedServices");
    requireNonNull(subscribedRoutes, "subscribedRoutes");
    requireNonNull(services, "services");
    requireNonNull(routes, "routes");
    requireNonNull(counts, "counts");
  }

  /**
   * Whether the client is subscribed as far as the sidecar's readiness goes: nothing is watched,
   * or a stream is open and has received a response.
   */
  public boolean subscribed() {
    return connected || (subscribedServices.isEmpty() && subscribedRoutes.isEmpty());
  }

  DiscoveryClientDump withSinceLastResponse(Duration since) {
    return new DiscoveryClientDump(
        nodeId,
        controlPlaneTarget,
        connected,
        controlPlaneId,
        lastReceivedVersion,
        lastReceivedNonce,
        lastAckedVersion,
        lastNack,
        since,
        subscribedServices,
        subscribedRoutes,
        services,
        routes,
        counts);
  }

  /**
   * A refused response.
   *
   * @param nonce the response's nonce
   * @param version the response's version_info
   * @param message why it was refused: every error, naming the resource and the field
   */
  public record Nack(String nonce, String version, String message) {

    /** Checks that every field is set. */
    public Nack {
      requireNonNull(nonce, "nonce");
      requireNonNull(version, "version");
      requireNonNull(message, "message");
    }
  }

  /**
   * What happened since the client started.
   *
   * @param responses responses received
   * @param acks responses accepted
   * @param nacks responses refused
   * @param reconnects streams opened after the first one
   */
  public record Counts(long responses, long acks, long nacks, long reconnects) {}
}
