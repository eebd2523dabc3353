package io.weft.controlplane.discovery;

import java.util.List;

/**
 * The discovery server at one moment, for the admin views. Immutable.
 *
 * @param connectedSidecars streams that have sent a valid first request and are still open
 * @param pushes responses sent since start, on every stream
 * @param acks ACKs received since start
 * @param nacks NACKs received since start
 * @param warmingUp whether the restart-safety warm-up window is still open
 * @param sidecars every connected sidecar, sorted by node id
 */
public record DiscoveryStatus(
    int connectedSidecars,
    long pushes,
    long acks,
    long nacks,
    boolean warmingUp,
    List<SidecarStatus> sidecars) {

  public DiscoveryStatus {
    sidecars = List.copyOf(sidecars);
  }
}
