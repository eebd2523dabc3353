package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import io.weft.sidecar.discovery.EndpointSource;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The outbound proxy (port 15001): the app calls any gRPC method on it; each call is routed to a
 * mesh service (by {@code :authority}, else by the gRPC service of the method, see {@link Router})
 * and forwarded transparently to an instance the service's balancer picks. The response header
 * {@code x-weft-upstream} names the instance that served the call.
 *
 * <p>Two ways to forward, the same to the app: {@link #frameRelayBuilder} relays the calls' HTTP/2
 * frames ({@link FrameRelay}), picking with the service channel's balancer ({@link
 * UpstreamPickers}) and carrying the streams on connections of its own, which adds the least
 * latency; {@link #builder} forwards each call as a grpc-java call on the service's channel ({@link
 * UpstreamChannels}), which brings grpc-java's retry policies.
 */
public final class OutboundProxy {

  /** Default bound of a first route lookup: 5 s. */
  public static final Duration DEFAULT_ROUTE_TIMEOUT = Duration.ofSeconds(5);

  /** Default number of names (services, and routes) kept watched: 1,000 each. */
  public static final int DEFAULT_ROUTE_CACHE_SIZE = 1_000;

  private final RunningProxy server;
  private final Router router;

  private OutboundProxy(RunningProxy server, Router router) {
    this.server = server;
    this.router = router;
  }

  /**
   * A builder for a proxy that learns routes from {@code endpoints}, forwards each call as a
   * grpc-java call on a channel of {@code upstreams}, records into {@code metrics}, and times route
   * lookups out on {@code scheduler} (not shut down by the proxy).
   */
  public static Builder builder(
      EndpointSource endpoints,
      UpstreamChannels upstreams,
      ProxyMetrics metrics,
      ScheduledExecutorService scheduler) {
    return new Builder(endpoints, requireNonNull(upstreams, "upstreams"), null, metrics,
        scheduler);
  }

  /**
   * A builder for a proxy that learns routes from {@code endpoints}, relays each call's HTTP/2
   * frames to the instance picked by a balancer of {@code pickers}, records into {@code metrics},
   * and times route lookups out on {@code scheduler} (not shut down by the proxy).
   */
  public static Builder frameRelayBuilder(
      EndpointSource endpoints,
      UpstreamPickers pickers,
      ProxyMetrics metrics,
      ScheduledExecutorService scheduler) {
    return new Builder(endpoints, null, requireNonNull(pickers, "pickers"), metrics, scheduler);
  }

  /** The port the proxy listens on. */
  public int port() {
    return server.port();
  }

  /** Stops accepting new calls and closes the route watches; calls in progress go on. */
  public void shutdown() {
    server.shutdown();
    router.close();
  }

  /** Waits at most {@code timeout} for every call to end after {@link #shutdown()}. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return server.awaitTermination(timeout);
  }

  /** Ends every call now. */
  public void shutdownNow() {
    router.close();
    server.shutdownNow();
  }

  /**
   * Shuts down gracefully: stops accepting, lets calls in progress run for at most {@code grace},
   * then ends the rest. Returns whether the server terminated.
   */
  public boolean stop(Duration grace) throws InterruptedException {
    shutdown();
    if (!awaitTermination(grace)) {
      shutdownNow();
    }
    return server.isTerminated() || awaitTermination(Duration.ofSeconds(1));
  }

  /** Builds and starts an {@link OutboundProxy}. */
  public static final class Builder {
    private final EndpointSource endpoints;
    private final UpstreamChannels upstreams;
    private final UpstreamPickers pickers;
    private final ProxyMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private ProxyServerConfig config = ProxyServerConfig.builder().build();
    private Duration routeTimeout = DEFAULT_ROUTE_TIMEOUT;
    private int routeCacheSize = DEFAULT_ROUTE_CACHE_SIZE;
    private Ticker ticker = Ticker.systemTicker();

    private Builder(
        EndpointSource endpoints,
        UpstreamChannels upstreams,
        UpstreamPickers pickers,
        ProxyMetrics metrics,
        ScheduledExecutorService scheduler) {
      this.endpoints = requireNonNull(endpoints, "endpoints");
      this.upstreams = upstreams;
      this.pickers = pickers;
      this.metrics = requireNonNull(metrics, "metrics");
      this.scheduler = requireNonNull(scheduler, "scheduler");
    }

    /** Address, limits and keep-alive of the server (default: 127.0.0.1, a free port). */
    public Builder config(ProxyServerConfig config) {
      this.config = requireNonNull(config, "config");
      return this;
    }

    /** Bound of a name's first lookup, besides the call's deadline (default 5 s). */
    public Builder routeTimeout(Duration routeTimeout) {
      requireNonNull(routeTimeout, "routeTimeout");
      if (routeTimeout.isNegative() || routeTimeout.isZero()) {
        throw new IllegalArgumentException("routeTimeout: " + routeTimeout + " (expected: > 0)");
      }
      this.routeTimeout = routeTimeout;
      return this;
    }

    /** Most mesh services, and most routes, kept watched (default 1,000 each). */
    public Builder routeCacheSize(int routeCacheSize) {
      if (routeCacheSize < 1) {
        throw new IllegalArgumentException(
            "routeCacheSize: " + routeCacheSize + " (expected: >= 1)");
      }
      this.routeCacheSize = routeCacheSize;
      return this;
    }

    /** Time source for rate-limiting failure logs (default the system ticker). */
    public Builder ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /** Binds and starts the proxy. */
    public OutboundProxy start() throws IOException {
      Router router = new Router(endpoints, scheduler, ticker, routeTimeout, routeCacheSize);
      try {
        if (pickers != null) {
          OutboundRelayedCall.Routing routing =
              new OutboundRelayedCall.Routing(router, new RouteKeys(), pickers);
          FrameRelay relay = FrameRelay.start(config, "outbound proxy",
              (frames, caller, stream) -> new OutboundRelayedCall(frames, caller, stream, routing),
              metrics);
          return new OutboundProxy(relay, router);
        }
        OutboundCallHandler handler =
            new OutboundCallHandler(router, upstreams, metrics, config.maxMessageSize());
        return new OutboundProxy(ProxyServer.start(config, handler), router);
      } catch (IOException | RuntimeException e) {
        router.close();
        throw e;
      }
    }
  }
}
