package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.weft.sidecar.proxy.ProxyMetrics.Direction;

/**
 * Handles every call the app makes to the outbound proxy: routes it to a mesh service, then
 * forwards it on that service's channel. Nothing is requested from the caller until the route is
 * known and the upstream call started.
 */
final class OutboundCallHandler implements ServerCallHandler<byte[], byte[]> {

  private final Router router;
  private final UpstreamChannels channels;
  private final ProxyMetrics metrics;
  private final int maxMessageSize;

  OutboundCallHandler(
      Router router, UpstreamChannels channels, ProxyMetrics metrics, int maxMessageSize) {
    this.router = requireNonNull(router, "router");
    this.channels = requireNonNull(channels, "channels");
    this.metrics = requireNonNull(metrics, "metrics");
    this.maxMessageSize = maxMessageSize;
  }

  @Override
  public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
    long startNanos = metrics.now();
    Context context = Context.current();
    CallForwarder forwarder = new CallForwarder(call, headers, context, maxMessageSize);
    router
        .route(
            call.getAuthority(),
            call.getMethodDescriptor().getFullMethodName(),
            context.getDeadline())
        .whenComplete(
            (service, error) -> {
              if (error != null) {
                forwarder.fail(
                    Status.fromThrowable(error),
                    metrics.start(
                        Direction.OUTBOUND, ProxyMetrics.NONE, ProxyMetrics.NONE, startNanos));
                return;
              }
              ProxyMetrics.Call callMetrics =
                  metrics.start(Direction.OUTBOUND, service, ProxyMetrics.NONE, startNanos);
              Channel channel;
              try {
                channel = channels.channelFor(service);
              } catch (RuntimeException e) {
                forwarder.fail(
                    Status.UNAVAILABLE
                        .withDescription("no channel to mesh service " + service + ": " + e)
                        .withCause(e),
                    callMetrics);
                return;
              }
              forwarder.start(channel, callMetrics);
            });
    return forwarder.callerListener();
  }
}
