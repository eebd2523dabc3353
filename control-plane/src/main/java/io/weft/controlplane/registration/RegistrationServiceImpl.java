package io.weft.controlplane.registration;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import io.weft.common.MeshNames;
import io.weft.common.ProtoDurations;
import io.weft.controlplane.registry.Deregistration;
import io.weft.controlplane.registry.InstanceValidator;
import io.weft.controlplane.registry.LeaseListener;
import io.weft.controlplane.registry.PropagationTracker;
import io.weft.controlplane.registry.Registration;
import io.weft.controlplane.registry.Registry;
import io.weft.controlplane.registry.Renewal;
import io.weft.mesh.v1.DeregisterRequest;
import io.weft.mesh.v1.DeregisterResponse;
import io.weft.mesh.v1.DrainConfirmation;
import io.weft.mesh.v1.KeepAliveRequest;
import io.weft.mesh.v1.KeepAliveResponse;
import io.weft.mesh.v1.LeaseEvent;
import io.weft.mesh.v1.RegisterRequest;
import io.weft.mesh.v1.RegisterResponse;
import io.weft.mesh.v1.RegistrationServiceGrpc;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code RegistrationService}: Register, KeepAlive streams and Deregister over a {@link
 * Registry}, with confirmed drain through a {@link PropagationTracker}.
 *
 * <p>The KeepAlive stream that last renewed a lease owns its unprompted events: {@code
 * SUPERSEDED} when another node takes the instance, {@code DRAIN_CONFIRMED} when the tracker says
 * every subscribed sidecar has seen the drain. Once a drain is confirmed, every renewal of the
 * lease is answered {@code DRAIN_CONFIRMED}. Nothing here blocks a gRPC thread.
 */
public final class RegistrationServiceImpl
    extends RegistrationServiceGrpc.RegistrationServiceImplBase implements AutoCloseable {

  /** The default bound on waiting for a drain to be confirmed ({@code --drain-confirm-timeout}). */
  public static final Duration DEFAULT_DRAIN_CONFIRM_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(RegistrationServiceImpl.class);

  private final Registry registry;
  private final DrainConfirmations drains;
  private final ConcurrentMap<String, KeepAliveStream> owners = new ConcurrentHashMap<>();
  private final KeepAliveStream.Handler streamHandler = new StreamHandler();

  /**
   * @param drainConfirmTimeout how long a drain waits for every subscribed sidecar's ACK before
   *     it is confirmed with {@code timed_out}
   */
  public RegistrationServiceImpl(
      Registry registry, PropagationTracker tracker, Duration drainConfirmTimeout) {
    this.registry = requireNonNull(registry, "registry");
    requireNonNull(drainConfirmTimeout, "drainConfirmTimeout");
    if (drainConfirmTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "drainConfirmTimeout: "
              + ProtoDurations.describe(drainConfirmTimeout)
              + " (expected: >= 0s)");
    }
    this.drains = new DrainConfirmations(tracker, drainConfirmTimeout, this::onDrainConfirmed);
    registry.addLeaseListener(this::onLeaseEnded);
  }

  @Override
  public void register(RegisterRequest request, StreamObserver<RegisterResponse> responses) {
    Registration registration;
    try {
      registration = registry.register(request);
    } catch (StatusException e) {
      log.warn(
          "rejected registration of {}/{} from node {}: {}",
          MeshNames.quote(request.getInstance().getService()),
          MeshNames.quote(request.getInstance().getInstanceId()),
          MeshNames.quote(request.getNodeId()),
          e.getStatus().getDescription());
      responses.onError(e);
      return;
    }
    // A registration replaces any drain of the lease's instance.
    drains.forget(registration.leaseId());
    responses.onNext(
        RegisterResponse.newBuilder()
            .setLeaseId(registration.leaseId())
            .setLeaseTtl(ProtoDurations.toProto(registration.leaseTtl()))
            .setRevision(registration.revision())
            .setInstance(registration.instance())
            .build());
    responses.onCompleted();
  }

  @Override
  public StreamObserver<KeepAliveRequest> keepAlive(StreamObserver<KeepAliveResponse> responses) {
    return new KeepAliveStream(responses, streamHandler);
  }

  @Override
  public void deregister(DeregisterRequest request, StreamObserver<DeregisterResponse> responses) {
    Deregistration deregistration;
    try {
      deregistration = registry.deregister(request.getLeaseId(), grace(request));
    } catch (StatusException e) {
      log.warn(
          "rejected deregistration of lease {}: {}",
          MeshNames.quote(request.getLeaseId()),
          e.getStatus().getDescription());
      responses.onError(e);
      return;
    }
    drains.await(request.getLeaseId(), deregistration.service(), deregistration.revision());
    DeregisterResponse.Builder response =
        DeregisterResponse.newBuilder().setRevision(deregistration.revision());
    deregistration.instance().ifPresent(response::setInstance);
    responses.onNext(response.build());
    responses.onCompleted();
  }

  /** Cancels every pending drain wait. Call after the server stopped. */
  @Override
  public void close() {
    drains.cancelAll();
  }

  private static Duration grace(DeregisterRequest request) throws StatusException {
    if (!request.hasGrace()) {
      return null;
    }
    if (!ProtoDurations.isValid(request.getGrace())) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "grace: " + ProtoDurations.describe(request.getGrace()) + " (expected: 0s..300s)")
          .asException();
    }
    return ProtoDurations.toJava(request.getGrace());
  }

  private KeepAliveResponse renew(KeepAliveRequest request, KeepAliveStream stream) {
    String leaseId = request.getLeaseId();
    DrainConfirmation confirmation = drains.confirmation(leaseId);
    if (confirmation != null) {
      return drainConfirmed(leaseId, confirmation);
    }
    Renewal renewal = registry.renew(leaseId, request.getHealth());
    KeepAliveResponse.Builder response = KeepAliveResponse.newBuilder().setLeaseId(leaseId);
    String instance = renewal.service() + "/" + renewal.instanceId();
    switch (renewal.outcome()) {
      case RENEWED -> {
        own(leaseId, stream);
        response.setEvent(LeaseEvent.RENEWED);
      }
      case DRAINING -> {
        own(leaseId, stream);
        response
            .setEvent(LeaseEvent.RENEWED)
            .setMessage(
                instance
                    + " is draining; removal in "
                    + ProtoDurations.describe(renewal.timeLeft())
                    + "; drain confirmation pending");
      }
      case DEREGISTERED -> {
        own(leaseId, stream);
        response
            .setEvent(LeaseEvent.RENEWED)
            .setMessage(instance + " was deregistered and removed; drain confirmation pending");
      }
      case SUPERSEDED ->
          response
              .setEvent(LeaseEvent.SUPERSEDED)
              .setMessage("another node registered " + instance);
      case NOT_FOUND ->
          response
              .setEvent(LeaseEvent.LEASE_NOT_FOUND)
              .setMessage("lease expired or was never granted; register again");
    }
    if (response.getEvent() == LeaseEvent.RENEWED) {
      response.setLeaseTtl(ProtoDurations.toProto(renewal.timeLeft()));
    }
    return response.build();
  }

  /** Makes {@code stream} the one that receives the lease's unprompted events. */
  private void own(String leaseId, KeepAliveStream stream) {
    KeepAliveStream previous = owners.put(leaseId, stream);
    if (previous != stream) {
      stream.track(leaseId);
      if (previous != null) {
        previous.untrack(leaseId);
      }
    }
  }

  /** Forgets the stream owning a lease's events; returns it, or null if none. */
  private KeepAliveStream disown(String leaseId) {
    KeepAliveStream stream = owners.remove(leaseId);
    if (stream != null) {
      stream.untrack(leaseId);
    }
    return stream;
  }

  private void onLeaseEnded(String leaseId, LeaseListener.Reason reason) {
    switch (reason) {
      case SUPERSEDED -> {
        drains.forget(leaseId);
        KeepAliveStream stream = disown(leaseId);
        if (stream != null) {
          stream.send(
              KeepAliveResponse.newBuilder()
                  .setLeaseId(leaseId)
                  .setEvent(LeaseEvent.SUPERSEDED)
                  .setMessage("another node registered this lease's instance")
                  .build());
        }
      }
      case EXPIRED -> {
        drains.forget(leaseId);
        disown(leaseId);
      }
      case REMOVED -> {
        // The stream keeps the lease until its drain confirmation, which every removal awaits.
      }
    }
  }

  private void onDrainConfirmed(String leaseId, DrainConfirmation confirmation) {
    KeepAliveStream stream = disown(leaseId);
    log.info(
        "drain confirmed lease={} rev={} confirmed_sidecars={} timed_out={} pending={}",
        leaseId,
        confirmation.getRevision(),
        confirmation.getConfirmedSidecars(),
        confirmation.getTimedOut(),
        confirmation.getPendingNodeIdsList());
    if (stream != null) {
      stream.send(drainConfirmed(leaseId, confirmation));
    }
  }

  private static KeepAliveResponse drainConfirmed(String leaseId, DrainConfirmation confirmation) {
    String message =
        confirmation.getTimedOut()
            ? "drain confirmation timed out; not acknowledged by "
                + confirmation.getPendingNodeIdsList()
            : "drain confirmed by " + confirmation.getConfirmedSidecars() + " sidecars";
    return KeepAliveResponse.newBuilder()
        .setLeaseId(leaseId)
        .setEvent(LeaseEvent.DRAIN_CONFIRMED)
        .setDrain(confirmation)
        .setMessage(message)
        .build();
  }

  private final class StreamHandler implements KeepAliveStream.Handler {
    @Override
    public KeepAliveResponse renew(KeepAliveRequest request, KeepAliveStream stream) {
      return RegistrationServiceImpl.this.renew(request, stream);
    }

    @Override
    public void closed(KeepAliveStream stream, Set<String> leaseIds) {
      leaseIds.forEach(leaseId -> owners.remove(leaseId, stream));
    }
  }
}
