package io.weft.sidecar.proxy;

import io.weft.sidecar.balancer.PickedEndpoint;
import io.weft.sidecar.proxy.ProxyMetrics.Direction;
import java.net.InetSocketAddress;

/**
 * A call through the inbound proxy's frame relay, to the local app. The app receives the caller's
 * {@code :authority} as it was sent; the call counts in flight, for the drain, from its first frame
 * until its last one is flushed and recorded; its metrics are INBOUND, under the local service and
 * instance.
 */
final class InboundRelayedCall extends RelayedCall {

  /** The local app every inbound call goes to, and what counts its calls. */
  record LocalApp(PickedEndpoint endpoint, InFlightCalls inFlight) {

    /** The app of {@code service}'s instance {@code instanceId}, at {@code address}. */
    static LocalApp at(InetSocketAddress address, String service, String instanceId) {
      return new LocalApp(new PickedEndpoint(service, instanceId, address), new InFlightCalls());
    }

    /** Where the app listens. */
    InetSocketAddress address() {
      return (InetSocketAddress) endpoint.address();
    }
  }

  private final LocalApp app;

  InboundRelayedCall(FrameRelay relay, CallerConnection caller, int callerStream, LocalApp app) {
    super(relay, caller, callerStream);
    this.app = app;
    service = app.endpoint().service();
    metrics = relay.metrics().start(
        Direction.INBOUND, service, app.endpoint().instanceId(), startNanos);
    app.inFlight().increment();
  }

  @Override
  void route(CharSequence authority, Long timeoutNanos) {
    pick();
  }

  @Override
  void pick() {
    if (ended) {
      return;
    }
    picked = app.endpoint();
    connect(app.address());
  }

  @Override
  String upstreamAuthority() {
    return null;
  }

  @Override
  boolean namesUpstream() {
    return false;
  }

  @Override
  Direction direction() {
    return Direction.INBOUND;
  }

  @Override
  void released() {
    app.inFlight().decrement();
  }
}
