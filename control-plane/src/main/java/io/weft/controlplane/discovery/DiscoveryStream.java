package io.weft.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.weft.controlplane.registry.RegistrySnapshot;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.Node;
import io.weft.mesh.v1.ServiceEndpoints;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sidecar's discovery stream: its subscriptions, what it has been sent and has ACKed, and the
 * sending of coalesced responses when its transport is ready.
 *
 * <p>All mutable state lives in the stream's {@link SynchronizationContext}: requests, readiness,
 * cancellation and change marks from the fan-out all hop in, and only that context calls the
 * response observer. Fields read by other threads (subscriptions, ACKed revisions, status) are
 * concurrent or volatile and written only from the context.
 */
final class DiscoveryStream implements StreamObserver<DiscoveryRequest>, PropagationWaits.Sidecar {

  private static final Logger logger = LoggerFactory.getLogger(DiscoveryStream.class);

  private final StreamContext context;
  private final ServerCallStreamObserver<DiscoveryResponse> responses;
  private final String peer;
  private final SynchronizationContext syncContext =
      new SynchronizationContext(this::handleUncaught);
  private final Subscriptions subscriptions = new Subscriptions();
  private final PendingPush pending = new PendingPush();
  private final NonceLedger ledger = new NonceLedger();
  private final Map<String, Long> ackedServices = new ConcurrentHashMap<>();
  private final StreamRecord record = new StreamRecord();
  private Node node;
  private volatile boolean closed;

  DiscoveryStream(
      StreamContext context, ServerCallStreamObserver<DiscoveryResponse> responses, String peer) {
    this.context = requireNonNull(context, "context");
    this.responses = requireNonNull(responses, "responses");
    this.peer = requireNonNull(peer, "peer");
    responses.setOnReadyHandler(() -> syncContext.execute(this::trySend));
    responses.setOnCancelHandler(() -> syncContext.execute(() -> close(Status.CANCELLED)));
  }

  @Override
  public void onNext(DiscoveryRequest request) {
    syncContext.execute(() -> handle(request));
  }

  @Override
  public void onError(Throwable t) {
    syncContext.execute(() -> close(Status.fromThrowable(t)));
  }

  @Override
  public void onCompleted() {
    syncContext.execute(
        () -> {
          if (!closed) {
            responses.onCompleted();
            close(Status.OK);
          }
        });
  }

  /** The fan-out marks names that changed in the registry; sends them when ready. */
  void markChanged(Collection<String> services, Collection<String> routes, long arrivalNanos) {
    syncContext.execute(
        () -> {
          if (closed) {
            return;
          }
          boolean marked = false;
          for (String name : services) {
            if (subscriptions.coversService(name)) {
              pending.serviceChanged(name);
              marked = true;
            }
          }
          for (String name : routes) {
            if (subscriptions.coversRoute(name)) {
              pending.routeChanged(name);
              marked = true;
            }
          }
          if (marked) {
            pending.changeArrived(arrivalNanos);
            trySend();
          }
        });
  }

  /** Sends whatever is pending and allowed now (for example when warm-up ends). */
  void flush() {
    syncContext.execute(this::trySend);
  }

  /** Ends the stream because the server is shutting down. */
  void shutdown() {
    syncContext.execute(
        () -> fail(Status.UNAVAILABLE.withDescription("control plane shutting down")));
  }

  @Override
  public String nodeId() {
    Node current = record.node();
    return current != null ? current.getId() : "";
  }

  @Override
  public boolean subscribesToService(String service) {
    return !closed && subscriptions.coversService(service);
  }

  @Override
  public long ackedRevision(String service) {
    return ackedServices.getOrDefault(service, -1L);
  }

  /** This stream as the admin views show it; only meaningful once it is connected. */
  SidecarStatus status() {
    return record.status(peer, subscriptions);
  }

  private void handle(DiscoveryRequest request) {
    if (closed) {
      return;
    }
    if (node == null) {
      Status first = RequestValidator.validateFirst(request);
      if (!first.isOk()) {
        fail(first);
        return;
      }
    }
    Status names = RequestValidator.validateSubscriptions(request);
    if (!names.isOk()) {
      fail(names);
      return;
    }
    if (node == null) {
      connect(request);
    }
    if (!request.getResponseNonce().isEmpty()) {
      handleReply(request);
    }
    if (applySubscriptions(request)) {
      context.waits().onSubscriptionChanged(this);
    }
    trySend();
  }

  private void connect(DiscoveryRequest request) {
    node = request.getNode();
    record.connected(node, context.clock().instant());
    context.gate().register(this, request.getInitialServiceStateMap());
    context.connected().add(this);
    logger.info(
        "discovery stream connected: node={} ({}) zone={} peer={}",
        node.getId(), describeInstance(), orDash(node.getZone()), peer);
  }

  private void handleReply(DiscoveryRequest request) {
    NonceLedger.Sent sent = ledger.take(request.getResponseNonce());
    if (sent == null) {
      logger.debug(
          "discovery node={}: ignoring reply to unknown or stale nonce {}",
          node.getId(), request.getResponseNonce());
      return;
    }
    if (request.hasErrorDetail()) {
      record.nacked(
          new NackRecord(
              sent.nonce(),
              request.getVersionInfo(),
              request.getErrorDetail().getMessage(),
              context.clock().instant()));
      context.metrics().nacked();
      logger.warn(
          "discovery NACK from node={} ({}): nonce={} version={} (holds {}): {}",
          node.getId(), describeInstance(), sent.nonce(), sent.version(),
          orDash(request.getVersionInfo()), request.getErrorDetail().getMessage());
      return;
    }
    record.acked(Long.toString(sent.version()));
    context.metrics().acked();
    List<String> acked = new ArrayList<>(sent.services().size());
    for (String service : sent.services()) {
      if (subscriptions.coversService(service)) {
        ackedServices.merge(service, sent.version(), Math::max);
        acked.add(service);
      }
    }
    context.waits().onAcked(this, acked, sent.version());
  }

  /** Unsubscribes first, then subscribes (so both in one request re-sends the name). */
  private boolean applySubscriptions(DiscoveryRequest request) {
    boolean changed = false;
    for (String name : request.getServiceNamesUnsubscribeList()) {
      changed |= unsubscribeService(name);
    }
    for (String name : request.getRouteNamesUnsubscribeList()) {
      if (subscriptions.removeRoute(name)) {
        context.index().removeRoute(name, this);
        pending.forgetRoute(name);
        changed = true;
      }
    }
    for (String name : request.getServiceNamesSubscribeList()) {
      changed |= subscribeService(name);
    }
    for (String name : request.getRouteNamesSubscribeList()) {
      if (subscriptions.addRoute(name)) {
        context.index().addRoute(name, this);
        pending.subscribeRoute(name);
        changed = true;
      }
    }
    return changed;
  }

  private boolean subscribeService(String name) {
    if (name.equals(RequestValidator.WILDCARD)) {
      if (!subscriptions.setWildcard(true)) {
        return false;
      }
      context.index().addWildcard(this);
      for (String service : context.cache().latest().services().keySet()) {
        if (!subscriptions.services().contains(service)) {
          pending.subscribeService(service);
        }
      }
      return true;
    }
    if (!subscriptions.addService(name)) {
      return false;
    }
    context.index().addService(name, this);
    if (!subscriptions.wildcard()) {
      pending.subscribeService(name);
    }
    return true;
  }

  private boolean unsubscribeService(String name) {
    if (name.equals(RequestValidator.WILDCARD)) {
      if (!subscriptions.setWildcard(false)) {
        return false;
      }
      context.index().removeWildcard(this);
      Set<String> named = subscriptions.services();
      pending.retainServices(named::contains);
      ackedServices.keySet().retainAll(named);
      return true;
    }
    if (!subscriptions.removeService(name)) {
      return false;
    }
    context.index().removeService(name, this);
    if (!subscriptions.coversService(name)) {
      pending.forgetService(name);
      ackedServices.remove(name);
    }
    return true;
  }

  private void trySend() {
    if (closed || node == null || !pending.hasDirty() || !responses.isReady()) {
      return;
    }
    RegistrySnapshot snapshot = context.cache().latest();
    PendingPush.Content content =
        pending.take(
            snapshot,
            context.cache(),
            endpoints -> context.gate().allowsService(this, endpoints),
            context.gate()::allowsRoute);
    if (content.isEmpty()) {
      return;
    }
    long oldestChange = pending.takeOldestChange();
    NonceLedger.Sent sent =
        ledger.record(
            snapshot.revision(),
            content.services().stream().map(ServiceEndpoints::getService).toList(),
            content.routes().stream().map(GrpcRoute::getGrpcService).toList());
    DiscoveryResponse response =
        DiscoveryResponse.newBuilder()
            .setVersionInfo(Long.toString(sent.version()))
            .setNonce(sent.nonce())
            .addAllServices(content.services())
            .addAllRoutes(content.routes())
            .setControlPlaneId(context.controlPlaneId())
            .build();
    record.sent(response.getVersionInfo(), sent.nonce());
    responses.onNext(response);
    context.metrics().pushed(oldestChange >= 0 ? context.ticker().read() - oldestChange : -1);
    logger.debug(
        "discovery push to node={}: version={} nonce={} services={} routes={}",
        node.getId(), sent.version(), sent.nonce(), sent.services(), sent.routes());
  }

  private void fail(Status status) {
    if (closed) {
      return;
    }
    close(status);
    responses.onError(status.asRuntimeException());
  }

  private void close(Status status) {
    if (closed) {
      return;
    }
    closed = true;
    for (String name : subscriptions.services()) {
      context.index().removeService(name, this);
    }
    for (String name : subscriptions.routes()) {
      context.index().removeRoute(name, this);
    }
    context.index().removeWildcard(this);
    if (node == null) {
      log(status, "discovery stream from {} ended before it connected: {}", peer, status);
      return;
    }
    context.connected().remove(this);
    Set<String> released = context.gate().unregister(this);
    if (!released.isEmpty()) {
      context.dispatcher().recheckLater(released);
    }
    context.waits().onClosed(this);
    log(
        status,
        "discovery stream disconnected: node={} ({}) peer={} {}: {}",
        node.getId(), describeInstance(), peer, record.counts(), status);
  }

  /** Ends that are not the sidecar's or the server's fault are logged at INFO, others at WARN. */
  private static void log(Status status, String message, Object... args) {
    switch (status.getCode()) {
      case OK, CANCELLED, UNAVAILABLE -> logger.info(message, args);
      default -> logger.warn(message, args);
    }
  }

  private void handleUncaught(Thread thread, Throwable error) {
    logger.error("discovery stream of node={} failed", nodeId(), error);
    syncContext.executeLater(
        () -> fail(Status.INTERNAL.withDescription("discovery stream failed").withCause(error)));
  }

  private String describeInstance() {
    return orDash(node.getService()) + "/" + orDash(node.getInstanceId());
  }

  private static String orDash(String value) {
    return value.isEmpty() ? "-" : value;
  }
}
