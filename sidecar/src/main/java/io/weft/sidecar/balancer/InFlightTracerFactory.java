package io.weft.sidecar.balancer;

import static java.util.Objects.requireNonNull;

import io.grpc.Attributes;
import io.grpc.ClientStreamTracer;
import io.grpc.Metadata;
import io.grpc.Status;

/**
 * Counts the calls in flight on one endpoint: a stream counts from {@code streamCreated} to {@code
 * streamClosed}. A pick whose stream is never created (the call was cancelled or re-picked first)
 * does not count, so the count never leaks.
 */
final class InFlightTracerFactory extends ClientStreamTracer.Factory {

  private final EndpointStats stats;

  InFlightTracerFactory(EndpointStats stats) {
    this.stats = requireNonNull(stats, "stats");
  }

  @Override
  public ClientStreamTracer newClientStreamTracer(
      ClientStreamTracer.StreamInfo info, Metadata headers) {
    return new InFlightTracer(stats);
  }

  private static final class InFlightTracer extends ClientStreamTracer {
    private final EndpointStats stats;
    private volatile boolean created;

    InFlightTracer(EndpointStats stats) {
      this.stats = stats;
    }

    @Override
    public void streamCreated(Attributes transportAttrs, Metadata headers) {
      created = true;
      stats.callStarted();
    }

    @Override
    public void streamClosed(Status status) {
      if (created) {
        stats.callEnded();
      }
    }
  }
}
