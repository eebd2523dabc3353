package io.weft.sidecar.discovery;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.ServiceEndpoints;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per discovery stream event, naming the node and the control plane: INFO when a
 * stream gets its first response and for every accepted response, WARN when a connected stream is
 * lost or the first attempt of a series fails, DEBUG for the later failed attempts of the series.
 * Used from the discovery client's synchronization context only.
 *
 * <p>The line of an accepted response lists every resource it changed, separated by {@code "; "},
 * so that operators and end-to-end tests can follow each endpoint set:
 *
 * <pre>
 * node n1: accepted version 12 from cp-1: greeter 3 instances (2 SERVING, 1 DRAINING)
 * node n1: accepted version 13 from cp-1: greeter 2 instances (2 SERVING); billing 0 instances
 * node n1: accepted version 14 from cp-1: route helloworld.Greeter -&gt; greeter
 * node n1: accepted version 15 from cp-1: no change
 * </pre>
 *
 * Health counts are in {@code HealthStatus} order and only the non-zero ones are listed; a route
 * lists its mesh services separated by commas, or {@code none}.
 */
final class StreamEventLog {

  private static final Logger logger = LoggerFactory.getLogger(StreamEventLog.class);

  private final String nodeId;
  private final String target;
  private long openedNanos;
  private int failedAttempts;

  StreamEventLog(String nodeId, String target) {
    this.nodeId = requireNonNull(nodeId, "nodeId");
    this.target = requireNonNull(target, "target");
  }

  void opened(long nowNanos) {
    openedNanos = nowNanos;
  }

  void connected(String controlPlaneId) {
    logger.info(
        "node {}: discovery stream to control plane {} (id {}) {}",
        nodeId, target, controlPlaneId,
        failedAttempts > 0
            ? "reconnected after " + failedAttempts + " lost or failed streams"
            : "connected");
    failedAttempts = 0;
  }

  void accepted(
      DiscoveryResponse response, List<ServiceEndpoints> services, List<GrpcRoute> routes) {
    if (!logger.isInfoEnabled()) {
      return;
    }
    StringJoiner changes = new StringJoiner("; ");
    for (ServiceEndpoints endpoints : services) {
      changes.add(describe(endpoints));
    }
    for (GrpcRoute route : routes) {
      changes.add("route " + route.getGrpcService() + " -> "
          + (route.getServicesCount() == 0 ? "none" : String.join(",", route.getServicesList())));
    }
    logger.info("node {}: accepted version {} from {}: {}", nodeId, response.getVersionInfo(),
        response.getControlPlaneId(), changes.length() == 0 ? "no change" : changes.toString());
  }

  private static String describe(ServiceEndpoints endpoints) {
    int count = endpoints.getInstancesCount();
    StringBuilder line = new StringBuilder(endpoints.getService()).append(' ').append(count)
        .append(count == 1 ? " instance" : " instances");
    if (count == 0) {
      return line.toString();
    }
    Map<HealthStatus, Integer> byHealth = new EnumMap<>(HealthStatus.class);
    for (Instance instance : endpoints.getInstancesList()) {
      byHealth.merge(instance.getHealth(), 1, Integer::sum);
    }
    StringJoiner counts = new StringJoiner(", ", " (", ")");
    byHealth.forEach((health, n) -> counts.add(n + " " + health.name()));
    return line.append(counts).toString();
  }

  void closed(Status status, boolean wasConnected, long nowNanos, long retryDelayNanos) {
    long retryMillis = TimeUnit.NANOSECONDS.toMillis(retryDelayNanos);
    failedAttempts = wasConnected ? 1 : failedAttempts + 1;
    if (wasConnected) {
      logger.warn(
          "node {}: discovery stream to control plane {} lost after {} ms: {} {}; "
              + "keeping what it holds, reconnecting in {} ms",
          nodeId, target, TimeUnit.NANOSECONDS.toMillis(nowNanos - openedNanos),
          status.getCode(), status.getDescription(), retryMillis);
    } else if (failedAttempts == 1) {
      logger.warn(
          "node {}: cannot open discovery stream to control plane {}: {} {}; "
              + "retrying with backoff, next in {} ms",
          nodeId, target, status.getCode(), status.getDescription(), retryMillis);
    } else {
      logger.debug(
          "node {}: discovery stream attempt {} to control plane {} failed: {} {}; "
              + "next in {} ms",
          nodeId, failedAttempts, target, status.getCode(), status.getDescription(),
          retryMillis);
    }
  }
}
