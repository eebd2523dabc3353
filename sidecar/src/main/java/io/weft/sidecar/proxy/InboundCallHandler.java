package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.weft.sidecar.proxy.ProxyMetrics.Direction;

/** Forwards every call reaching the inbound proxy to the local app, counting calls in flight. */
final class InboundCallHandler implements ServerCallHandler<byte[], byte[]> {

  private final Channel app;
  private final ProxyMetrics metrics;
  private final String localService;
  private final String localInstance;
  private final int maxMessageSize;
  private final InFlightCalls inFlight;

  InboundCallHandler(
      Channel app,
      ProxyMetrics metrics,
      String localService,
      String localInstance,
      int maxMessageSize,
      InFlightCalls inFlight) {
    this.app = requireNonNull(app, "app");
    this.metrics = requireNonNull(metrics, "metrics");
    this.localService = requireNonNull(localService, "localService");
    this.localInstance = requireNonNull(localInstance, "localInstance");
    this.maxMessageSize = maxMessageSize;
    this.inFlight = requireNonNull(inFlight, "inFlight");
  }

  @Override
  public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
    long startNanos = metrics.now();
    inFlight.increment();
    CallForwarder forwarder =
        new CallForwarder(call, headers, Context.current(), maxMessageSize, inFlight::decrement);
    forwarder.start(app, metrics.start(Direction.INBOUND, localService, localInstance, startNanos));
    return forwarder.callerListener();
  }
}
