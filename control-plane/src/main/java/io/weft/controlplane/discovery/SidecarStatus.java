package io.weft.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One connected sidecar's discovery stream, as the admin views show it (like
 * {@code istioctl proxy-status}). Immutable.
 *
 * @param nodeId the sidecar's node id
 * @param service mesh service of the instance beside the sidecar; empty for a pure client
 * @param instanceId instance id beside the sidecar; empty for a pure client
 * @param zone the sidecar's zone; empty if unknown
 * @param peer the stream's remote address, or "unknown"
 * @param subscribedServices service names subscribed by name, sorted
 * @param wildcard whether the sidecar subscribes to every service
 * @param subscribedRoutes route names subscribed, sorted
 * @param lastSentVersion version_info of the last response sent; empty before the first
 * @param lastSentNonce nonce of the last response sent; empty before the first
 * @param lastAckedVersion version_info of the last response ACKed; empty before the first ACK
 * @param lastNack the last NACK, if any
 * @param pushes responses sent
 * @param acks ACKs received
 * @param nacks NACKs received
 * @param connectedSince when the stream's first request arrived
 */
public record SidecarStatus(
    String nodeId,
    String service,
    String instanceId,
    String zone,
    String peer,
    List<String> subscribedServices,
    boolean wildcard,
    List<String> subscribedRoutes,
    String lastSentVersion,
    String lastSentNonce,
    String lastAckedVersion,
    Optional<NackRecord> lastNack,
    long pushes,
    long acks,
    long nacks,
    Instant connectedSince) {

  public SidecarStatus {
    requireNonNull(nodeId, "nodeId");
    requireNonNull(service, "service");
    requireNonNull(instanceId, "instanceId");
    requireNonNull(zone, "zone");
    requireNonNull(peer, "peer");
    subscribedServices = List.copyOf(subscribedServices);
    subscribedRoutes = List.copyOf(subscribedRoutes);
    requireNonNull(lastSentVersion, "lastSentVersion");
    requireNonNull(lastSentNonce, "lastSentNonce");
    requireNonNull(lastAckedVersion, "lastAckedVersion");
    requireNonNull(lastNack, "lastNack");
    requireNonNull(connectedSince, "connectedSince");
  }
}
