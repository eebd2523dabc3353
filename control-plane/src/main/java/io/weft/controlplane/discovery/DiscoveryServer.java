package io.weft.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.weft.controlplane.registry.PropagationTracker;
import io.weft.controlplane.registry.RegistryChange;
import io.weft.controlplane.registry.RegistryListener;
import io.weft.controlplane.registry.RegistrySnapshot;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.DiscoveryServiceGrpc;
import io.weft.mesh.v1.DrainConfirmation;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code DiscoveryService}: one stream per sidecar, pushing the endpoints and routes it
 * subscribes to, as docs/ARCHITECTURE.md ("Discovery server") specifies.
 *
 * <p>Wiring: register it as a {@link RegistryListener} on the registry (its {@link #onChange}
 * only records the change and returns), add {@link #serviceDefinition()} to the gRPC server (it
 * carries the interceptor that lets the status show each sidecar's address), hand it to the
 * registration service as its {@link PropagationTracker}, read {@link #status()} for the admin
 * views, and {@link #close()} it on shutdown.
 *
 * <p>Registry changes are coalesced for the debounce window on {@code scheduler}, then fanned out
 * on {@code executor} to the streams whose subscriptions they touch; each stream sends the latest
 * state of its changed names when its transport is ready. A restart-safety warm-up gate holds
 * services that are not rebuilt yet.
 */
public final class DiscoveryServer extends DiscoveryServiceGrpc.DiscoveryServiceImplBase
    implements RegistryListener, PropagationTracker, AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(DiscoveryServer.class);

  private final Set<DiscoveryStream> connected = ConcurrentHashMap.newKeySet();
  private final ResourceCache cache;
  private final DiscoveryMetrics metrics;
  private final ChangeDispatcher dispatcher;
  private final PropagationWaits waits;
  private final ChangeCoalescer coalescer;
  private final Duration warmup;
  private final WarmupGate gate;
  private final StreamContext context;

  /**
   * Creates the server; the warm-up window starts now.
   *
   * @param initial the registry's snapshot when the server starts; register the server as a
   *     listener right after taking it, so that no change is missed
   * @param ticker time for debounce and push latency
   * @param scheduler runs the debounce flushes, the end of warm-up and propagation bounds; its
   *     tasks are short and never block
   * @param executor runs the fan-out, the sends it triggers and propagation callbacks; never the
   *     registry's calling thread
   * @param options debounce, warm-up, control-plane id, wall clock
   * @param meterRegistry where the {@code weft_discovery_*} meters go
   */
  public DiscoveryServer(
      RegistrySnapshot initial,
      Ticker ticker,
      ScheduledExecutorService scheduler,
      Executor executor,
      DiscoveryOptions options,
      MeterRegistry meterRegistry) {
    requireNonNull(initial, "initial");
    requireNonNull(ticker, "ticker");
    requireNonNull(scheduler, "scheduler");
    requireNonNull(executor, "executor");
    requireNonNull(options, "options");
    requireNonNull(meterRegistry, "meterRegistry");
    SubscriptionIndex<DiscoveryStream> index = new SubscriptionIndex<>();
    cache = new ResourceCache(initial);
    metrics = new DiscoveryMetrics(meterRegistry, connected);
    dispatcher = new ChangeDispatcher(index, executor);
    waits = new PropagationWaits(index::serviceSubscribers, scheduler, executor);
    coalescer =
        new ChangeCoalescer(ticker, scheduler, executor, options.debounce(), dispatcher::dispatch);
    warmup = options.warmup();
    gate = WarmupGate.start(warmup, scheduler, this::warmupEnded);
    context =
        new StreamContext(
            cache,
            gate,
            index,
            waits,
            dispatcher,
            metrics,
            connected,
            ticker,
            options.clock(),
            options.controlPlaneId());
    if (gate.isWarming()) {
      logger.info(
          "discovery warm-up for {}: holding services until they are rebuilt", warmup);
    }
  }

  /**
   * This service with the interceptor that records each stream's peer address, its responses
   * written by {@link SharedEncodingMarshaller}.
   */
  public ServerServiceDefinition serviceDefinition() {
    return SharedEncodingMarshaller.apply(
        ServerInterceptors.intercept(this, new PeerAddressInterceptor()));
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamEndpoints(
      StreamObserver<DiscoveryResponse> responseObserver) {
    SocketAddress peer = PeerAddressInterceptor.PEER.get();
    return new DiscoveryStream(
        context,
        (ServerCallStreamObserver<DiscoveryResponse>) responseObserver,
        peer != null ? peer.toString() : "unknown");
  }

  /** Records the change and returns at once; the fan-out happens after the debounce window. */
  @Override
  public void onChange(RegistryChange change) {
    cache.accept(change);
    coalescer.add(change);
  }

  @Override
  public Cancellable whenAcknowledged(
      String service, long revision, Duration bound, Consumer<DrainConfirmation> callback) {
    return waits.await(service, revision, bound, callback);
  }

  /** Every connected sidecar and the totals, for the admin views. */
  public DiscoveryStatus status() {
    List<SidecarStatus> sidecars =
        connected.stream()
            .map(DiscoveryStream::status)
            .sorted(Comparator.comparing(SidecarStatus::nodeId))
            .toList();
    return new DiscoveryStatus(
        sidecars.size(),
        metrics.pushes(),
        metrics.acks(),
        metrics.nacks(),
        gate.isWarming(),
        sidecars);
  }

  /** Whether the restart-safety warm-up window is still open. */
  public boolean isWarmingUp() {
    return gate.isWarming();
  }

  /**
   * Stops coalescing and the warm-up timer, drops pending propagation waits (their callbacks are
   * not called) and ends every stream with UNAVAILABLE.
   */
  @Override
  public void close() {
    coalescer.close();
    gate.close();
    waits.close();
    connected.forEach(DiscoveryStream::shutdown);
  }

  private void warmupEnded() {
    logger.info(
        "discovery warm-up ended after {}: sending held services to {} connected sidecars",
        warmup, connected.size());
    dispatcher.flushLater(connected);
  }
}
