package io.weft.controlplane;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.weft.common.PrometheusMetrics;
import io.weft.common.ProtoDurations;
import io.weft.controlplane.admin.ControlPlaneAdmin;
import io.weft.controlplane.discovery.DiscoveryServer;
import io.weft.controlplane.registration.RegistrationServiceImpl;
import io.weft.controlplane.registry.Registry;
import io.weft.controlplane.registry.RegistrySnapshot;
import io.weft.mesh.v1.DiscoveryServiceGrpc;
import io.weft.mesh.v1.RegistrationServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole control plane: the registry, the discovery server, the registration service, the gRPC
 * server that carries them (with {@code grpc.health.v1} and server reflection) and the admin HTTP
 * server, wired together.
 *
 * <p>Construct it (the discovery warm-up window starts then), {@link #start()} it to bind both
 * ports, {@link #close()} it to stop gracefully. Time comes from the {@link Ticker} and the
 * {@link ScheduledExecutorService} it is given (a test passes a fake clock's); the discovery
 * fan-out always runs on the control plane's own threads, never on gRPC's.
 */
public final class ControlPlane implements AutoCloseable {

  /** The largest request accepted: room for a big mesh's {@code initial_service_state}. */
  static final int MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;

  /** Clients may ping this often (sidecars keep idle streams alive). */
  static final Duration PERMIT_KEEPALIVE_TIME = Duration.ofSeconds(10);

  /** The server pings a silent connection this often, so dead sidecars stop counting. */
  static final Duration KEEPALIVE_TIME = Duration.ofSeconds(30);

  static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);

  /** How long {@link #close()} lets calls in flight finish before cancelling them. */
  static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(2);

  /** How long {@link #close()} then waits for the cancelled calls and for executors. */
  static final Duration SHUTDOWN_BOUND = Duration.ofSeconds(5);

  private static final Logger logger = LoggerFactory.getLogger(ControlPlane.class);

  private final ControlPlaneConfig config;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final ExecutorService fanOut;
  private final PrometheusMetrics metrics = new PrometheusMetrics();
  private final Registry registry;
  private final DiscoveryServer discovery;
  private final RegistrationServiceImpl registration;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server grpcServer;
  private final ControlPlaneAdmin admin;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean serving;

  /**
   * A control plane on the system ticker with its own scheduler thread.
   *
   * @param config ports, leases, debounce, warm-up, drain and identity
   */
  public static ControlPlane create(ControlPlaneConfig config) {
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(1, daemonThreads("weft-cp-scheduler-%d"));
    scheduler.setRemoveOnCancelPolicy(true);
    return new ControlPlane(config, Ticker.systemTicker(), scheduler, true);
  }

  /**
   * A control plane timed by {@code ticker} and {@code scheduler}, which the caller owns (it is
   * not shut down by {@link #close()}).
   *
   * @param scheduler runs lease expiry, drain removal, debounce, warm-up and drain-confirmation
   *     bounds; its tasks are short and never block
   */
  public ControlPlane(
      ControlPlaneConfig config, Ticker ticker, ScheduledExecutorService scheduler) {
    this(config, ticker, scheduler, false);
  }

  private ControlPlane(
      ControlPlaneConfig config,
      Ticker ticker,
      ScheduledExecutorService scheduler,
      boolean ownsScheduler) {
    this.config = requireNonNull(config, "config");
    requireNonNull(ticker, "ticker");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.ownsScheduler = ownsScheduler;
    fanOut =
        Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            daemonThreads("weft-cp-fanout-%d"));
    registry = new Registry(config.registryOptions(), ticker, scheduler, metrics.registry());
    RegistrySnapshot initial = registry.snapshot();
    discovery =
        new DiscoveryServer(
            initial, ticker, scheduler, fanOut, config.discoveryOptions(), metrics.registry());
    // Nothing can register before the gRPC server starts, so no change can happen between
    // taking the snapshot and adding the listener: the discovery server starts exactly where
    // its listener's changes begin.
    RegistrySnapshot listenedFrom = registry.addListener(discovery);
    if (listenedFrom.revision() != initial.revision()) {
      throw new IllegalStateException(
          "registry changed before discovery listened: revision "
              + initial.revision()
              + " then "
              + listenedFrom.revision());
    }
    registration =
        new RegistrationServiceImpl(registry, discovery, config.drainConfirmTimeout());
    grpcServer =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(config.bindAddress(), config.grpcPort()))
            .addService(discovery.serviceDefinition())
            .addService(registration)
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            .permitKeepAliveTime(PERMIT_KEEPALIVE_TIME.toNanos(), TimeUnit.NANOSECONDS)
            .permitKeepAliveWithoutCalls(true)
            .keepAliveTime(KEEPALIVE_TIME.toNanos(), TimeUnit.NANOSECONDS)
            .keepAliveTimeout(KEEPALIVE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)
            .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
            .build();
    admin =
        new ControlPlaneAdmin(
            config.bindAddress(),
            config.adminPort(),
            registry,
            discovery,
            metrics,
            () -> serving);
  }

  /**
   * Binds the gRPC port, then the admin port, and starts serving. On failure everything is
   * closed.
   */
  public ControlPlane start() throws IOException {
    try {
      grpcServer.start();
      admin.start();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    for (String service : servedServices()) {
      health.setStatus(service, ServingStatus.SERVING);
    }
    serving = true;
    logger.info(
        "control plane {} serving: grpc={}:{} admin={}:{} lease-ttl={} debounce={} warmup={}"
            + " drain-grace={} drain-confirm-timeout={} max-expiry-fraction={}",
        config.controlPlaneId(),
        config.bindAddress(),
        grpcPort(),
        config.bindAddress(),
        adminPort(),
        ProtoDurations.describe(config.leaseTtl()),
        ProtoDurations.describe(config.debounce()),
        ProtoDurations.describe(config.warmup()),
        ProtoDurations.describe(config.drainGrace()),
        ProtoDurations.describe(config.drainConfirmTimeout()),
        config.maxExpiryFraction());
    return this;
  }

  /** The configuration it runs with. */
  public ControlPlaneConfig config() {
    return config;
  }

  /** The bound gRPC port (registration, discovery, health, reflection); after {@link #start()}. */
  public int grpcPort() {
    return grpcServer.getPort();
  }

  /** The bound admin HTTP port; after {@link #start()}. */
  public int adminPort() {
    return admin.port();
  }

  /** Whether it serves: started and not closing. */
  public boolean isServing() {
    return serving;
  }

  /** The registry, for embedding and benchmarks. */
  public Registry registry() {
    return registry;
  }

  /** The discovery server, for embedding and benchmarks. */
  public DiscoveryServer discovery() {
    return discovery;
  }

  /**
   * Stops gracefully: health turns NOT_SERVING (and {@code /healthz} 503), discovery streams end
   * with UNAVAILABLE, the gRPC server stops taking calls and gives those in flight {@link
   * #SHUTDOWN_GRACE} before cancelling them, then registration, registry, admin server and
   * executors stop. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    logger.info("control plane {} shutting down", config.controlPlaneId());
    serving = false;
    health.enterTerminalState();
    discovery.close();
    stopGrpcServer();
    registration.close();
    registry.close();
    admin.close();
    metrics.close();
    fanOut.shutdown();
    awaitTermination(fanOut);
    if (ownsScheduler) {
      // Pending timers (lease expiry, debounce) have nothing left to act on.
      scheduler.shutdownNow();
      awaitTermination(scheduler);
    }
    logger.info("control plane {} stopped", config.controlPlaneId());
  }

  private void stopGrpcServer() {
    grpcServer.shutdown();
    try {
      if (!grpcServer.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        grpcServer.shutdownNow();
        if (!grpcServer.awaitTermination(SHUTDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
          logger.warn("gRPC server did not terminate within {}", SHUTDOWN_BOUND);
        }
      }
    } catch (InterruptedException e) {
      grpcServer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitTermination(ExecutorService executor) {
    try {
      if (!executor.awaitTermination(SHUTDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
        logger.warn("executor did not terminate within {}; interrupting it", SHUTDOWN_BOUND);
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static List<String> servedServices() {
    return List.of(
        HealthStatusManager.SERVICE_NAME_ALL_SERVICES,
        DiscoveryServiceGrpc.SERVICE_NAME,
        RegistrationServiceGrpc.SERVICE_NAME);
  }

  private static ThreadFactory daemonThreads(String nameFormat) {
    return new ThreadFactoryBuilder()
        .setNameFormat(nameFormat)
        .setDaemon(true)
        .setUncaughtExceptionHandler(
            (thread, error) -> logger.error("uncaught error on {}", thread.getName(), error))
        .build();
  }
}
