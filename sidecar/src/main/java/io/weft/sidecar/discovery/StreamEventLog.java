package io.weft.sidecar.discovery;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per discovery stream event, naming the node and the control plane: INFO when a
 * stream gets its first response, WARN when a connected stream is lost or the first attempt of a
 * series fails, DEBUG for the later failed attempts of the series. Used from the discovery
 * client's synchronization context only.
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
