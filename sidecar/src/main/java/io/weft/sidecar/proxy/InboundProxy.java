package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The inbound proxy (port 15006): relays every call it receives to the local app, transparently,
 * as HTTP/2 frames ({@link FrameRelay}, {@link InboundRelayedCall}), and counts the calls in flight
 * so that a drain can wait for them. {@link #shutdown()} stops accepting new calls while the calls
 * in progress finish.
 */
public final class InboundProxy {

  private final RunningProxy server;
  private final InFlightCalls inFlight;

  private InboundProxy(RunningProxy server, InFlightCalls inFlight) {
    this.server = server;
    this.inFlight = inFlight;
  }

  /**
   * A builder for a proxy that relays to the app listening at {@code app} and records into {@code
   * metrics} under the local {@code service} and {@code instanceId}.
   */
  public static Builder builder(
      InetSocketAddress app, ProxyMetrics metrics, String service, String instanceId) {
    return new Builder(app, metrics, service, instanceId);
  }

  /** The port the proxy listens on. */
  public int port() {
    return server.port();
  }

  /** Calls in progress now. */
  public int inFlight() {
    return inFlight.count();
  }

  /** Completes when no call is in progress: at once if none is now, else when the last ends. */
  public CompletableFuture<Void> whenIdle() {
    return inFlight.whenIdle();
  }

  /**
   * Stops accepting new calls (callers are told to go elsewhere with an HTTP/2 GOAWAY); calls in
   * progress go on.
   */
  public void shutdown() {
    server.shutdown();
  }

  /** Waits at most {@code timeout} for every call to end after {@link #shutdown()}. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return server.awaitTermination(timeout);
  }

  /** Ends every call now. */
  public void shutdownNow() {
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

  /** Builds and starts an {@link InboundProxy}. */
  public static final class Builder {
    private final InetSocketAddress app;
    private final ProxyMetrics metrics;
    private final String service;
    private final String instanceId;
    private ProxyServerConfig config = ProxyServerConfig.builder().build();

    private Builder(InetSocketAddress app, ProxyMetrics metrics, String service, String instanceId) {
      this.app = requireNonNull(app, "app");
      this.metrics = requireNonNull(metrics, "metrics");
      this.service = requireNonNull(service, "service");
      this.instanceId = requireNonNull(instanceId, "instanceId");
    }

    /** Address, limits and keep-alive of the server (default: 127.0.0.1, a free port). */
    public Builder config(ProxyServerConfig config) {
      this.config = requireNonNull(config, "config");
      return this;
    }

    /** Binds and starts the proxy. */
    public InboundProxy start() throws IOException {
      InboundRelayedCall.LocalApp local = InboundRelayedCall.LocalApp.at(app, service, instanceId);
      FrameRelay relay = FrameRelay.start(config, "inbound proxy",
          (frames, caller, stream) -> new InboundRelayedCall(frames, caller, stream, local),
          metrics);
      return new InboundProxy(relay, local.inFlight());
    }
  }
}
