package io.weft.sidecar.discovery;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.SynchronizationContext.ScheduledHandle;
import io.grpc.SynchronizationContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.weft.common.BackoffOptions;
import io.weft.common.ExponentialBackoff;
import io.weft.common.MeshNames;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.Node;
import io.weft.mesh.v1.ServiceEndpoints;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's client of the control plane's discovery stream, and its {@link EndpointSource}.
 *
 * <p>The first watch of a name subscribes to it (opening the stream if there is none); closing
 * the last watch of a name unsubscribes it and forgets what was held for it. Each response is
 * validated as a whole: if every resource in it is valid, all of it is applied (watchers of each
 * changed resource are told) and the response is ACKed; otherwise none of it is applied and it
 * is NACKed with every error. Resources nobody watches are not kept.
 *
 * <p>When the stream fails, every accepted resource is kept (static stability); only watchers of
 * names with no data at all get {@code onError}. The client reconnects after a backoff that
 * starts again after any response, and on the new stream subscribes every watched name and
 * reports the instance ids it holds per service.
 *
 * <p>All state lives in one {@link SynchronizationContext}; watchers are called from it, one
 * call at a time, never with a lock held, and must not block. A watcher that throws is logged
 * and ignored.
 */
public final class DiscoveryClient implements EndpointSource, AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(DiscoveryClient.class);
  private static final int MAX_NODE_ID_LENGTH = 253;

  private final Channel channel;
  private final Node node;
  private final String target;
  private final Ticker ticker;
  private final ScheduledExecutorService scheduler;
  private final ExponentialBackoff backoff;
  private final DiscoveryStats stats;
  private final StreamEventLog eventLog;
  private final SynchronizationContext syncContext =
      new SynchronizationContext(
          (thread, e) -> logger.error("discovery client bug: uncaught exception", e));
  private final ResourceTable<ServiceEndpoints> services =
      new ResourceTable<>(ResourceKind.SERVICE);
  private final ResourceTable<GrpcRoute> routes = new ResourceTable<>(ResourceKind.ROUTE);
  private final DiscoveryStream.Listener streamListener = new StreamListener();

  // Everything below is touched only in syncContext.
  private DiscoveryStream stream;
  private boolean streamResponded;
  private boolean everOpened;
  private ScheduledHandle retryTimer;
  private Status unreachable;
  private boolean closed;
  private String controlPlaneId = "";
  private String lastReceivedVersion = "";
  private String lastReceivedNonce = "";
  private String lastAckedVersion = "";
  private DiscoveryClientDump.Nack lastNack;
  private long lastResponseNanos;
  private boolean anyResponse;

  private volatile Published published;

  /** A client without metrics. */
  public DiscoveryClient(
      Channel channel,
      Node node,
      Ticker ticker,
      ScheduledExecutorService scheduler,
      Random random,
      BackoffOptions backoffOptions) {
    this(channel, node, ticker, scheduler, random, backoffOptions, null);
  }

  /**
   * A client that opens its stream on the first watch.
   *
   * @param channel the channel to the control plane; the caller owns and shuts it down
   * @param node who this sidecar is; {@code id} is required (1..253 printable ASCII characters)
   * @param ticker time, for the dump and the logs
   * @param scheduler runs the reconnection timers
   * @param random spreads the reconnection delays (jitter)
   * @param backoffOptions the reconnection delays
   * @param meterRegistry where the {@code weft_discovery_client_*} meters go, or null for none
   */
  public DiscoveryClient(
      Channel channel,
      Node node,
      Ticker ticker,
      ScheduledExecutorService scheduler,
      Random random,
      BackoffOptions backoffOptions,
      MeterRegistry meterRegistry) {
    this.channel = requireNonNull(channel, "channel");
    this.node = checkNode(requireNonNull(node, "node"));
    this.ticker = requireNonNull(ticker, "ticker");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.backoff = new ExponentialBackoff(backoffOptions, random);
    this.stats = new DiscoveryStats(meterRegistry);
    this.target = channel.authority();
    this.eventLog = new StreamEventLog(node.getId(), target);
    syncContext.execute(this::publish);
  }

  private static Node checkNode(Node node) {
    String id = node.getId();
    if (id.isEmpty()
        || id.length() > MAX_NODE_ID_LENGTH
        || !id.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException(
          "node.id: \"" + id + "\" (expected: 1..253 printable ASCII characters)");
    }
    return node;
  }

  @Override
  public Watch watchService(String service, Watcher<ServiceEndpoints> watcher) {
    requireNonNull(service, "service");
    String error = MeshNames.isServiceName(service) ? null
        : "service: " + MeshNames.quote(service) + " (expected: " + MeshNames.SERVICE_NAME_EXPECTED + ")";
    return watch(services, service, watcher, error);
  }

  @Override
  public Watch watchRoute(String grpcService, Watcher<GrpcRoute> watcher) {
    requireNonNull(grpcService, "grpcService");
    String error = MeshNames.isGrpcServiceName(grpcService) ? null
        : "grpcService: " + MeshNames.quote(grpcService)
            + " (expected: " + MeshNames.GRPC_SERVICE_NAME_EXPECTED + ")";
    return watch(routes, grpcService, watcher, error);
  }

  private <T> Watch watch(
      ResourceTable<T> table, String name, Watcher<T> watcher, String nameError) {
    requireNonNull(watcher, "watcher");
    WatchHandle<T> handle =
        new WatchHandle<>(table.kind(), name, watcher, h -> run(() -> unwatch(table, h)));
    run(
        () -> {
          if (nameError != null) {
            handle.deliverError(Status.INVALID_ARGUMENT.withDescription(nameError));
          } else if (closed) {
            handle.deliverError(
                Status.UNAVAILABLE.withDescription("discovery client is closed"));
          } else if (table.add(handle, unreachable)) {
            subscribe(table.kind(), name);
          }
        });
    return handle;
  }

  private void subscribe(ResourceKind kind, String name) {
    logger.debug("node {}: subscribing to {} {}", node.getId(), kind.label(), name);
    if (stream != null) {
      stream.send(DiscoveryRequests.subscribe(kind, name));
    } else if (retryTimer == null) {
      openStream();
    }
  }

  private <T> void unwatch(ResourceTable<T> table, WatchHandle<T> handle) {
    if (!table.remove(handle)) {
      return;
    }
    logger.debug("node {}: unsubscribing from {} {}", node.getId(), table.kind().label(),
        handle.name());
    if (stream != null) {
      stream.send(DiscoveryRequests.unsubscribe(table.kind(), handle.name()));
    }
  }

  /**
   * What the client holds and how its stream stands, for {@code /config_dump}. May be called
   * from any thread.
   */
  public DiscoveryClientDump dump() {
    Published current = published;
    if (current.lastResponseNanos == null) {
      return current.dump;
    }
    long since = Math.max(0, ticker.read() - current.lastResponseNanos);
    return current.dump.withSinceLastResponse(Duration.ofNanos(since));
  }

  /**
   * Whether the sidecar may count as subscribed: nothing is watched, or a stream is open and has
   * received a response. May be called from any thread.
   */
  public boolean isSubscribed() {
    return published.dump.subscribed();
  }

  /** Cancels the stream and the reconnection timer; watchers are not called any more. */
  @Override
  public void close() {
    run(
        () -> {
          if (closed) {
            return;
          }
          closed = true;
          if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
          }
          if (stream != null) {
            stream.cancel("discovery client closed");
            stream = null;
          }
          streamResponded = false;
          stats.connected(false);
          stats.close();
          logger.info("node {}: discovery client for control plane {} closed", node.getId(),
              target);
        });
  }

  private void openStream() {
    stream = DiscoveryStream.open(channel, syncContext, streamListener);
    eventLog.opened(ticker.read());
    streamResponded = false;
    if (everOpened) {
      stats.reconnect();
    }
    everOpened = true;
    stream.send(
        DiscoveryRequests.first(node, services.names(), routes.names(), services.values()));
  }

  private void retry() {
    retryTimer = null;
    if (closed || (services.names().isEmpty() && routes.names().isEmpty())) {
      return;
    }
    openStream();
  }

  private void handleResponse(DiscoveryResponse response) {
    lastResponseNanos = ticker.read();
    anyResponse = true;
    if (!streamResponded) {
      streamResponded = true;
      backoff.reset();
      unreachable = null;
      stats.connected(true);
      eventLog.connected(response.getControlPlaneId());
    }
    stats.response();
    controlPlaneId = response.getControlPlaneId();
    lastReceivedVersion = response.getVersionInfo();
    lastReceivedNonce = response.getNonce();
    List<String> errors = ResponseValidator.validate(response);
    if (errors.isEmpty()) {
      accept(response);
    } else {
      refuse(response, ResponseValidator.describe(errors));
    }
    stream.requestNext();
  }

  private void accept(DiscoveryResponse response) {
    List<ServiceEndpoints> changedServices = new ArrayList<>();
    for (ServiceEndpoints endpoints : response.getServicesList()) {
      if (services.update(endpoints.getService(), endpoints)) {
        changedServices.add(endpoints);
      }
    }
    List<GrpcRoute> changedRoutes = new ArrayList<>();
    for (GrpcRoute route : response.getRoutesList()) {
      if (routes.update(route.getGrpcService(), route)) {
        changedRoutes.add(route);
      }
    }
    lastAckedVersion = response.getVersionInfo();
    stats.ack();
    eventLog.accepted(response, changedServices, changedRoutes);
    logger.debug("node {}: ACK version {} nonce {}", node.getId(), response.getVersionInfo(),
        response.getNonce());
    stream.send(DiscoveryRequests.ack(response.getNonce(), response.getVersionInfo()));
  }

  private void refuse(DiscoveryResponse response, String message) {
    logger.warn(
        "node {}: NACK version {} nonce {} from control plane {}, holding version \"{}\": {}",
        node.getId(), response.getVersionInfo(), response.getNonce(), target, lastAckedVersion,
        message);
    lastNack = new DiscoveryClientDump.Nack(response.getNonce(), response.getVersionInfo(),
        message);
    stats.nack();
    stream.send(DiscoveryRequests.nack(response.getNonce(), lastAckedVersion, message));
    Status status =
        Status.UNAVAILABLE.withDescription("control plane update refused: " + message);
    for (ServiceEndpoints endpoints : response.getServicesList()) {
      services.failIfUnresolved(endpoints.getService(), status);
    }
    for (GrpcRoute route : response.getRoutesList()) {
      routes.failIfUnresolved(route.getGrpcService(), status);
    }
  }

  private void handleClosed(Status status) {
    boolean wasConnected = streamResponded;
    stream = null;
    streamResponded = false;
    stats.connected(false);
    unreachable =
        Status.UNAVAILABLE
            .withDescription("control plane " + target + " unreachable (node " + node.getId()
                + "): " + status.getCode() + ": " + status.getDescription())
            .withCause(status.getCause());
    long delayNanos = backoff.nextDelayNanos();
    eventLog.closed(status, wasConnected, ticker.read(), delayNanos);
    services.failUnresolved(unreachable);
    routes.failUnresolved(unreachable);
    retryTimer =
        syncContext.schedule(
            () -> {
              retry();
              publish();
            },
            delayNanos,
            TimeUnit.NANOSECONDS,
            scheduler);
  }

  /** Runs a task in the synchronization context, then publishes the state for the dump. */
  private void run(Runnable task) {
    syncContext.execute(
        () -> {
          task.run();
          publish();
        });
  }

  private void publish() {
    DiscoveryClientDump dump =
        new DiscoveryClientDump(
            node.getId(),
            target,
            streamResponded,
            controlPlaneId,
            lastReceivedVersion,
            lastReceivedNonce,
            lastAckedVersion,
            lastNack,
            null,
            services.names(),
            routes.names(),
            services.values(),
            routes.values(),
            stats.counts());
    published = new Published(dump, anyResponse ? lastResponseNanos : null);
  }

  /** The last published state; {@code lastResponseNanos} is null before any response. */
  private record Published(DiscoveryClientDump dump, Long lastResponseNanos) {}

  private final class StreamListener implements DiscoveryStream.Listener {
    @Override
    public void onResponse(DiscoveryStream from, DiscoveryResponse response) {
      if (from == stream && !closed) {
        handleResponse(response);
        publish();
      }
    }

    @Override
    public void onClosed(DiscoveryStream from, Status status) {
      if (from == stream && !closed) {
        handleClosed(status);
        publish();
      }
    }
  }
}
