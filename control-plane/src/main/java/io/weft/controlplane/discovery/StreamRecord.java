package io.weft.controlplane.discovery;

import io.weft.mesh.v1.Node;
import java.time.Instant;
import java.util.Optional;

/**
 * What one stream has sent and what its sidecar answered: last sent version and nonce, last
 * ACKed version, last NACK, counts, and who the sidecar is. Written only from the stream's
 * synchronization context; read from any thread through {@link #status}.
 */
final class StreamRecord {

  private volatile Node node;
  private volatile Instant connectedSince;
  private volatile String lastSentVersion = "";
  private volatile String lastSentNonce = "";
  private volatile String lastAckedVersion = "";
  private volatile NackRecord lastNack;
  private volatile long pushes;
  private volatile long acks;
  private volatile long nacks;

  /** The sidecar's node, or null before its first valid request. */
  Node node() {
    return node;
  }

  void connected(Node node, Instant at) {
    this.connectedSince = at;
    this.node = node;
  }

  void sent(String version, String nonce) {
    lastSentVersion = version;
    lastSentNonce = nonce;
    pushes++;
  }

  void acked(String version) {
    lastAckedVersion = version;
    acks++;
  }

  void nacked(NackRecord nack) {
    lastNack = nack;
    nacks++;
  }

  /** A one-line summary of the counts, for the disconnect log. */
  String counts() {
    return "pushes=" + pushes + " acks=" + acks + " nacks=" + nacks;
  }

  /** The admin view of the stream; only once connected. */
  SidecarStatus status(String peer, Subscriptions subscriptions) {
    Node current = node;
    return new SidecarStatus(
        current.getId(),
        current.getService(),
        current.getInstanceId(),
        current.getZone(),
        peer,
        subscriptions.sortedServices(),
        subscriptions.wildcard(),
        subscriptions.sortedRoutes(),
        lastSentVersion,
        lastSentNonce,
        lastAckedVersion,
        Optional.ofNullable(lastNack),
        pushes,
        acks,
        nacks,
        connectedSince);
  }
}
