package io.weft.controlplane.admin;

import io.weft.common.ProtoDurations;
import io.weft.controlplane.registry.LeaseView;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** The JSON views of leases: in {@code /v1/services/{name}} and in {@code /v1/leases}. */
final class LeaseViews {

  private LeaseViews() {}

  /**
   * {@code /v1/leases}: every lease, sorted by service and instance id.
   *
   * @param selfPreservation whether lease expiry is currently suspended
   * @param leases every lease
   */
  record LeaseList(boolean selfPreservation, List<LeaseEntry> leases) {}

  /** One lease in {@code /v1/leases}. Durations read like {@code 10s} or {@code 9.25s}. */
  record LeaseEntry(
      String leaseId,
      String service,
      String instanceId,
      String nodeId,
      String ttl,
      String timeLeft,
      String state) {}

  /**
   * The lease of one instance in {@code /v1/services/{name}}.
   *
   * @param timeLeft until expiry when ACTIVE, until removal when DRAINING, zero when
   *     EXPIRY_SUSPENDED
   * @param state ACTIVE, DRAINING or EXPIRY_SUSPENDED
   */
  record LeaseDetail(String leaseId, String nodeId, String ttl, String timeLeft, String state) {}

  static LeaseList list(boolean selfPreservation, List<LeaseView> leases) {
    return new LeaseList(
        selfPreservation,
        leases.stream()
            .map(
                lease ->
                    new LeaseEntry(
                        lease.leaseId(),
                        lease.service(),
                        lease.instanceId(),
                        lease.nodeId(),
                        describe(lease.ttl()),
                        describe(lease.timeLeft()),
                        lease.state().name()))
            .toList());
  }

  static LeaseDetail detail(LeaseView lease) {
    return new LeaseDetail(
        lease.leaseId(),
        lease.nodeId(),
        describe(lease.ttl()),
        describe(lease.timeLeft()),
        lease.state().name());
  }

  /** A duration to the millisecond, such as {@code 10s} or {@code 9.25s}. */
  private static String describe(Duration duration) {
    return ProtoDurations.describe(duration.truncatedTo(ChronoUnit.MILLIS));
  }
}
