package io.weft.sidecar;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import com.google.common.net.HostAndPort;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.weft.common.PrometheusMetrics;
import io.weft.mesh.v1.Node;
import io.weft.sidecar.SidecarConfig.LocalApp;
import io.weft.sidecar.admin.DrainEndpoint;
import io.weft.sidecar.admin.Readiness;
import io.weft.sidecar.admin.SidecarAdminServer;
import io.weft.sidecar.agent.AgentOptions;
import io.weft.sidecar.agent.AgentState;
import io.weft.sidecar.agent.RegistrationAgent;
import io.weft.sidecar.balancer.ClusterStats;
import io.weft.sidecar.discovery.DiscoveryClient;
import io.weft.sidecar.discovery.EndpointSource;
import io.weft.sidecar.proxy.InboundProxy;
import io.weft.sidecar.proxy.MeshChannelPool;
import io.weft.sidecar.proxy.OutboundProxy;
import io.weft.sidecar.proxy.ProxyMetrics;
import io.weft.sidecar.proxy.ProxyServerConfig;
import io.weft.sidecar.proxy.ProxyTransport;
import io.weft.sidecar.resolver.MeshChannels;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running sidecar: the parts of the {@code sidecar} module wired together as a {@link
 * SidecarConfig} says.
 *
 * <p>Always: a Prometheus registry, a small scheduler, a channel to the control plane (with
 * keep-alive pings, so a half-open connection is noticed), the {@link DiscoveryClient}, the
 * balancers' {@link ClusterStats}, one mesh channel per called service ({@link MeshChannelPool}),
 * the outbound proxy and the admin server. With a local app besides: a channel to the app, the
 * inbound proxy in front of it (unless there is none) and the {@link RegistrationAgent}, which
 * advertises the inbound proxy's port (or the configured one) and waits for the inbound proxy's
 * calls when it drains.
 *
 * <p>{@link #drain()} is the graceful way out (the agent's drain, then the inbound proxy stops
 * accepting); {@link #close()} stops everything in the reverse order of the start, each part
 * within a bound.
 */
public final class Sidecar implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(Sidecar.class);

  /** How long each part may take to stop in {@link #close()}. */
  static final Duration STOP_GRACE = Duration.ofSeconds(5);

  /** How often readiness is checked until the sidecar is ready. */
  static final Duration READINESS_CHECK_PERIOD = Duration.ofMillis(200);

  /** Time beyond the drain's own bounds for its Deregister calls. */
  static final Duration DRAIN_CALLS_ALLOWANCE = Duration.ofSeconds(10);

  private final SidecarConfig config;
  private final Deque<Part> started = new ArrayDeque<>();
  private PrometheusMetrics metrics;
  private ScheduledExecutorService scheduler;
  private DiscoveryClient discovery;
  private ClusterStats clusterStats;
  private ProxyTransport transport;
  private OutboundProxy outbound;
  private InboundProxy inbound;
  private RegistrationAgent agent;
  private Readiness readiness;
  private SidecarAdminServer admin;
  private String advertised;
  private CompletableFuture<Void> drain;
  private boolean closed;

  private Sidecar(SidecarConfig config) {
    this.config = requireNonNull(config, "config");
  }

  /**
   * Starts every part; if one fails to start, stops those already started and throws.
   *
   * @throws IOException if a port cannot be bound
   */
  public static Sidecar start(SidecarConfig config) throws IOException {
    Sidecar sidecar = new Sidecar(config);
    try {
      sidecar.startParts();
    } catch (IOException | RuntimeException e) {
      sidecar.close();
      throw e;
    }
    return sidecar;
  }

  private void startParts() throws IOException {
    metrics = started("metrics", new PrometheusMetrics(), PrometheusMetrics::close);
    scheduler = started("scheduler", newScheduler(), s -> {
      s.shutdownNow();
      s.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    });
    ManagedChannel controlPlane = started("control-plane channel", controlPlaneChannel(),
        Sidecar::stopChannel);
    discovery = started("discovery client", new DiscoveryClient(controlPlane, node(),
        Ticker.systemTicker(), scheduler, new Random(), config.backoff(), metrics.registry()),
        DiscoveryClient::close);
    clusterStats = new ClusterStats();
    // Started before and stopped after every proxy and channel that runs on it.
    transport = started("proxy event loops", ProxyTransport.create(config.ioThreads()),
        ProxyTransport::close);
    MeshChannels channels = new MeshChannels(discovery, clusterStats, config.meshConfig(),
        config.maxMessageSize(), transport::channelBuilder);
    MeshChannelPool upstreams = started("mesh channels", new MeshChannelPool(channels,
        config.meshConfig(), config.serviceConfigs()),
        MeshChannelPool::close);
    ProxyMetrics proxyMetrics = new ProxyMetrics(metrics.registry(), Ticker.systemTicker());
    OutboundProxy.Builder outboundBuilder = retriesConfigured()
        ? OutboundProxy.builder(discovery, upstreams, proxyMetrics, scheduler)
        : OutboundProxy.frameRelayBuilder(discovery, upstreams, proxyMetrics, scheduler);
    outbound = started("outbound proxy",
        outboundBuilder
            .config(proxyConfig(config.outboundAddress(), config.outboundPort()))
            .start(),
        proxy -> proxy.stop(STOP_GRACE));
    if (config.app() != null) {
      startLocalParts(config.app(), controlPlane, proxyMetrics);
    }
    readiness = new Readiness(config.label(), this::agentState, discovery::dump);
    readiness.watch(scheduler, READINESS_CHECK_PERIOD);
    admin = started("admin server", SidecarAdminServer.start(config.adminAddress(),
        config.adminPort(), new SidecarAdminServer.Sources(metrics, readiness, discovery::dump,
            clusterStats, this::agentState, this::effectiveConfig,
            new DrainEndpoint(this::drain, drainBound(), Ticker.systemTicker()))),
        SidecarAdminServer::close);
    if (agent != null) {
      // Last: a sidecar that failed to start must not leave a registration behind.
      agent.start();
    }
    logger.info("sidecar {} (node {}) started: outbound {} ({}), inbound {}, admin {}, control"
            + " plane {}, zone {}", config.label(), config.nodeId(), outboundAddress(),
        retriesConfigured() ? "grpc-java calls, for retries" : "HTTP/2 frame relay",
        inboundAddress().orElse("none"), adminAddress(), config.controlPlane(),
        config.zone().isEmpty() ? "unknown" : config.zone());
  }

  private void startLocalParts(LocalApp app, ManagedChannel controlPlane, ProxyMetrics metrics)
      throws IOException {
    ManagedChannel appChannel = started("app channel",
        transport.channelBuilder(HostAndPort.fromParts(app.address(), app.port()).toString())
            .maxInboundMessageSize(config.maxMessageSize())
            .build(),
        Sidecar::stopChannel);
    if (app.hasInbound()) {
      inbound = started("inbound proxy",
          InboundProxy.builder(new InetSocketAddress(app.address(), app.port()), metrics,
                  config.service(), config.instanceId())
              .config(proxyConfig(app.inboundAddress(), app.inboundPort()))
              .start(),
          proxy -> proxy.stop(STOP_GRACE));
    }
    int advertisedPort = app.advertisePort() != 0 ? app.advertisePort() : inbound.port();
    advertised = HostAndPort.fromParts(app.advertiseAddress(), advertisedPort).toString();
    AgentOptions.Builder options = AgentOptions.builder()
        .service(config.service())
        .instanceId(config.instanceId())
        .advertise(app.advertiseAddress(), advertisedPort)
        .zone(config.zone())
        .weight(app.weight())
        .metadata(app.metadata())
        .grpcServices(app.grpcServices())
        .nodeId(config.nodeId())
        .drainConfirmTimeout(app.drainConfirmTimeout())
        .inFlightDrainTimeout(app.inFlightDrainTimeout())
        .backoff(config.backoff());
    if (app.leaseTtl() != null) {
      options.leaseTtl(app.leaseTtl());
    }
    InboundProxy proxy = inbound;
    agent = started("registration agent", new RegistrationAgent(options.build(), controlPlane,
        appChannel, proxy != null ? proxy::whenIdle : () -> CompletableFuture.completedFuture(null),
        scheduler, Ticker.systemTicker(), new Random()), RegistrationAgent::close);
  }

  /** The config and where the sidecar actually listens and is advertised, for the admin. */
  private Map<String, Object> effectiveConfig() {
    Map<String, Object> listening = new LinkedHashMap<>();
    listening.put("outbound", outboundAddress());
    listening.put("inbound", inboundAddress().orElse("none"));
    listening.put("admin", adminAddress());
    if (advertised != null) {
      listening.put("advertised", advertised);
    }
    Map<String, Object> json = new LinkedHashMap<>(config.describe());
    json.put("listening", listening);
    return json;
  }

  /**
   * Whether a retry policy is configured for any service: then the outbound proxy forwards calls
   * through grpc-java, whose retries replay requests; otherwise it relays HTTP/2 frames.
   */
  private boolean retriesConfigured() {
    return config.meshConfig().retryPolicy().isPresent()
        || config.serviceConfigs().values().stream().anyMatch(c -> c.retryPolicy().isPresent());
  }

  private ProxyServerConfig proxyConfig(String host, int port) {
    return ProxyServerConfig.builder()
        .host(host)
        .port(port)
        .maxMessageSize(config.maxMessageSize())
        .transport(transport)
        .build();
  }

  private ManagedChannel controlPlaneChannel() {
    HostAndPort target = config.controlPlane();
    return Grpc.newChannelBuilderForAddress(
            target.getHost(), target.getPort(), InsecureChannelCredentials.create())
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .keepAliveWithoutCalls(true)
        .build();
  }

  private Node node() {
    return Node.newBuilder()
        .setId(config.nodeId())
        .setService(config.service())
        .setInstanceId(config.instanceId())
        .setZone(config.zone())
        .build();
  }

  private static ScheduledExecutorService newScheduler() {
    AtomicInteger threads = new AtomicInteger();
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(2, runnable -> {
      Thread thread = new Thread(runnable, "weft-sidecar-timer-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    scheduler.setRemoveOnCancelPolicy(true);
    return scheduler;
  }

  private static void stopChannel(ManagedChannel channel) throws InterruptedException {
    channel.shutdown();
    if (!channel.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
      channel.shutdownNow();
    }
  }

  /** The configuration the sidecar runs with. */
  public SidecarConfig config() {
    return config;
  }

  /** {@code host:port} of the outbound proxy, with the bound port. */
  public String outboundAddress() {
    return HostAndPort.fromParts(config.outboundAddress(), outbound.port()).toString();
  }

  /** {@code host:port} of the inbound proxy, with the bound port; empty when there is none. */
  public Optional<String> inboundAddress() {
    return inbound == null ? Optional.empty() : Optional.of(
        HostAndPort.fromParts(config.app().inboundAddress(), inbound.port()).toString());
  }

  /** {@code host:port} of the admin server, with the bound port. */
  public String adminAddress() {
    return HostAndPort.fromParts(config.adminAddress(), admin.port()).toString();
  }

  /** The outbound proxy's bound port. */
  public int outboundPort() {
    return outbound.port();
  }

  /** The inbound proxy's bound port; empty when there is none. */
  public OptionalInt inboundPort() {
    return inbound == null ? OptionalInt.empty() : OptionalInt.of(inbound.port());
  }

  /** The admin server's bound port. */
  public int adminPort() {
    return admin.port();
  }

  /** Where the sidecar learns endpoints: its discovery client. */
  public EndpointSource endpoints() {
    return discovery;
  }

  /** The balancers' per-endpoint counters. */
  public ClusterStats clusterStats() {
    return clusterStats;
  }

  /** The registration agent's state; empty for a pure client. */
  public Optional<AgentState> agentState() {
    return agent == null ? Optional.empty() : Optional.of(agent.state());
  }

  /** Whether {@code /ready} answers 200 now. */
  public boolean isReady() {
    return readiness.check().ready();
  }

  /**
   * How long a drain may take: the drain bounds of the local app plus an allowance for its
   * Deregister calls; {@link #STOP_GRACE} for a pure client.
   */
  public Duration drainBound() {
    LocalApp app = config.app();
    return app == null ? STOP_GRACE : app.drainConfirmTimeout()
        .plus(app.inFlightDrainTimeout())
        .plus(DRAIN_CALLS_ALLOWANCE);
  }

  /**
   * Drains the sidecar: {@code /ready} turns 503 at once; the agent marks the instance DRAINING,
   * waits until every caller has stopped picking it and for the inbound proxy's calls, and
   * deregisters it; then the inbound proxy stops accepting calls. The outbound proxy goes on
   * serving the app. Idempotent: every call returns the same future, which completes when the
   * drain is done (at once for a pure client) and fails if the sidecar is closed first.
   */
  public synchronized CompletableFuture<Void> drain() {
    if (drain == null) {
      logger.info("sidecar {} draining", config.label());
      readiness.drainStarted();
      CompletableFuture<Void> agentDrain =
          agent == null ? CompletableFuture.completedFuture(null) : agent.drain();
      drain = agentDrain.handleAsync((ignored, failure) -> {
        if (inbound != null) {
          inbound.shutdown();
        }
        if (failure != null) {
          throw new CompletionException(failure);
        }
        logger.info("sidecar {} drained", config.label());
        return null;
      }, scheduler);
    }
    return drain;
  }

  /**
   * Stops every part in the reverse order of the start, each within {@link #STOP_GRACE}, without
   * deregistering (use {@link #drain()} first for that). Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    while (!started.isEmpty()) {
      Part part = started.pop();
      try {
        part.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        logger.warn("sidecar {}: interrupted stopping the {}", config.label(), part.name());
      } catch (Exception e) {
        logger.warn("sidecar {}: stopping the {} failed", config.label(), part.name(), e);
      }
    }
    logger.info("sidecar {} stopped", config.label());
  }

  private <T> T started(String name, T part, Stopper<T> stopper) {
    started.push(new Part(name, () -> stopper.stop(part)));
    return part;
  }

  /** Stops one part. */
  @FunctionalInterface
  private interface Stopper<T> {
    void stop(T part) throws Exception;
  }

  private record Part(String name, Action action) {
    void stop() throws Exception {
      action.run();
    }
  }

  /** An action that may fail. */
  @FunctionalInterface
  private interface Action {
    void run() throws Exception;
  }
}
