package io.weft.sidecar.proxy;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ClientStreamTracer;
import io.grpc.Deadline;
import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.SubchannelPicker;
import io.grpc.Metadata;
import io.grpc.Status;
import io.weft.sidecar.balancer.PickerTap;
import io.weft.sidecar.proxy.ProxyMetrics.Direction;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A call through the outbound proxy's frame relay, to an instance of a mesh service: routed by
 * {@code :authority} or method ({@link Router}), then picked with the service's balancer ({@link
 * PickerTap}). The pick records the instance for {@code x-weft-upstream} and the metrics, and its
 * stream tracers (in-flight counts, outlier detection) see each attempt open and close with its
 * status. The upstream receives the mesh service as its {@code :authority}.
 */
final class OutboundRelayedCall extends RelayedCall {

  /** What every outbound call routes and picks with. */
  record Routing(Router router, RouteKeys routeKeys, UpstreamPickers pickers) {}

  private final Routing routing;
  private PickerTap tap;
  private ClientStreamTracer tracer;

  OutboundRelayedCall(FrameRelay relay, CallerConnection caller, int callerStream,
      Routing routing) {
    super(relay, caller, callerStream);
    this.routing = routing;
  }

  @Override
  void route(CharSequence authority, Long timeoutNanos) {
    RouteKeys keys = routing.routeKeys();
    String known = routing.router().knownRoute(keys.candidate(authority), keys.grpcService(path()));
    if (known != null) {
      routed(known, null);
      return;
    }
    Deadline deadline =
        timeoutNanos != null ? Deadline.after(timeoutNanos, TimeUnit.NANOSECONDS) : null;
    CompletableFuture<String> route = routing.router().route(
        authority == null ? null : authority.toString(), fullMethodName(), deadline);
    if (route.isCompletedExceptionally()) {
      routed(null, failure(route));
    } else if (route.isDone()) {
      routed(route.join(), null);
    } else {
      route.whenComplete((name, error) -> onLoop(() -> routed(name, error)));
    }
  }

  private void routed(String name, Throwable error) {
    if (ended) {
      return;
    }
    service = name;
    metrics = relay.metrics().start(
        Direction.OUTBOUND, error == null ? name : ProxyMetrics.NONE, ProxyMetrics.NONE,
        startNanos);
    if (error != null) {
      fail(Status.fromThrowable(error));
      return;
    }
    routing.pickers().requestTimeout(name).ifPresent(limit -> limitDeadline(limit.toNanos()));
    try {
      tap = routing.pickers().pickerFor(name);
    } catch (RuntimeException e) {
      fail(Status.UNAVAILABLE.withDescription("no channel to mesh service " + name + ": " + e)
          .withCause(e));
      return;
    }
    pick();
  }

  @Override
  void pick() {
    if (ended) {
      return;
    }
    SubchannelPicker picker = tap.picker();
    if (picker == null) {
      tap.whenChangedFrom(null, () -> onLoop(this::pick));
      tap.requestConnection();
      return;
    }
    LoopPickHolder holder = LoopPickHolder.current();
    CallOptions options = holder.optionsForPick(remainingNanos());
    PickResult result = picker.pickSubchannel(new RelayPickArgs(path(), options));
    picked = holder.picked();
    if (!result.getStatus().isOk()) {
      fail(result.getStatus());
      return;
    }
    if (result.getSubchannel() == null) {
      tap.whenChangedFrom(picker, () -> onLoop(this::pick));
      return;
    }
    SocketAddress address = picked == null ? null : picked.address();
    if (!(address instanceof InetSocketAddress inet)) {
      fail(Status.INTERNAL.withDescription("the balancer of " + service + " picked "
          + (address == null ? "an endpoint without an address" : address + ", not an IP address")
          + " (the frame relay needs the weft_mesh policy)"));
      return;
    }
    if (result.getStreamTracerFactory() != null) {
      tracer = result.getStreamTracerFactory().newClientStreamTracer(
          ClientStreamTracer.StreamInfo.newBuilder()
              .setCallOptions(options)
              .setPreviousAttempts(retries)
              .setIsTransparentRetry(retries > 0)
              .build(),
          new Metadata());
    }
    connect(inet);
  }

  @Override
  String upstreamAuthority() {
    return service;
  }

  @Override
  boolean namesUpstream() {
    return true;
  }

  @Override
  Direction direction() {
    return Direction.OUTBOUND;
  }

  @Override
  void attemptStarted() {
    if (tracer != null) {
      tracer.streamCreated(Attributes.EMPTY, new Metadata());
    }
  }

  @Override
  void attemptEnded(Status status) {
    if (tracer != null) {
      tracer.streamClosed(status);
      tracer = null;
    }
  }

  private static Throwable failure(CompletableFuture<?> future) {
    try {
      future.join();
      return null;
    } catch (RuntimeException e) {
      return e.getCause() != null ? e.getCause() : e;
    }
  }
}
