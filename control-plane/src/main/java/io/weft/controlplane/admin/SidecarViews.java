package io.weft.controlplane.admin;

import io.weft.controlplane.discovery.DiscoveryStatus;
import io.weft.controlplane.discovery.NackRecord;
import io.weft.controlplane.discovery.SidecarStatus;
import java.util.List;

/** The JSON view of {@code /v1/sidecars}, like {@code istioctl proxy-status}. */
final class SidecarViews {

  private SidecarViews() {}

  /**
   * {@code /v1/sidecars}.
   *
   * @param warmingUp whether the restart-safety warm-up window is still open
   * @param connectedSidecars how many sidecars have an open discovery stream
   * @param pushes responses sent since start, on every stream
   * @param acks ACKs received since start
   * @param nacks NACKs received since start
   * @param sidecars every connected sidecar, sorted by node id
   */
  record SidecarList(
      boolean warmingUp,
      int connectedSidecars,
      long pushes,
      long acks,
      long nacks,
      List<SidecarEntry> sidecars) {}

  /**
   * One connected sidecar.
   *
   * @param sync {@code NOT_SENT} before the first response, {@code NACKED} when the last response
   *     sent was NACKed, {@code SYNCED} when the last version sent was ACKed, else {@code STALE}
   * @param lastNack the last NACK; absent if the sidecar never NACKed
   * @param connectedSince ISO-8601 time of the stream's first request
   */
  record SidecarEntry(
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
      String sync,
      NackEntry lastNack,
      long pushes,
      long acks,
      long nacks,
      String connectedSince) {}

  /**
   * A refused response.
   *
   * @param nonce the refused response's nonce
   * @param version the version the sidecar said it still holds
   * @param message why it refused
   * @param at ISO-8601 time the NACK arrived
   */
  record NackEntry(String nonce, String version, String message, String at) {}

  static SidecarList list(DiscoveryStatus status) {
    return new SidecarList(
        status.warmingUp(),
        status.connectedSidecars(),
        status.pushes(),
        status.acks(),
        status.nacks(),
        status.sidecars().stream().map(SidecarViews::entry).toList());
  }

  private static SidecarEntry entry(SidecarStatus sidecar) {
    NackEntry nack =
        sidecar
            .lastNack()
            .map(n -> new NackEntry(n.nonce(), n.version(), n.message(), n.at().toString()))
            .orElse(null);
    return new SidecarEntry(
        sidecar.nodeId(),
        sidecar.service(),
        sidecar.instanceId(),
        sidecar.zone(),
        sidecar.peer(),
        sidecar.subscribedServices(),
        sidecar.wildcard(),
        sidecar.subscribedRoutes(),
        sidecar.lastSentVersion(),
        sidecar.lastSentNonce(),
        sidecar.lastAckedVersion(),
        sync(sidecar),
        nack,
        sidecar.pushes(),
        sidecar.acks(),
        sidecar.nacks(),
        sidecar.connectedSince().toString());
  }

  private static String sync(SidecarStatus sidecar) {
    if (sidecar.lastSentNonce().isEmpty()) {
      return "NOT_SENT";
    }
    boolean lastSentWasNacked =
        sidecar.lastNack().map(NackRecord::nonce).filter(sidecar.lastSentNonce()::equals)
            .isPresent();
    if (lastSentWasNacked) {
      return "NACKED";
    }
    return sidecar.lastAckedVersion().equals(sidecar.lastSentVersion()) ? "SYNCED" : "STALE";
  }
}
