package io.weft.controlplane.registration;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.KeepAliveRequest;
import io.weft.mesh.v1.KeepAliveResponse;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KeepAlive stream. Reads one request at a time (manual flow control: the next request is
 * asked for once the answer is written and the transport is ready), answers each through its
 * {@link Handler}, and accepts unprompted events for the leases it renewed last. Every write to
 * the response observer, and all of the stream's state, goes through one {@link
 * SynchronizationContext}, because a {@code StreamObserver} is not thread-safe.
 */
final class KeepAliveStream implements StreamObserver<KeepAliveRequest> {

  private static final Logger log = LoggerFactory.getLogger(KeepAliveStream.class);

  /** What the registration service does for a stream. */
  interface Handler {

    /**
     * Answers one valid request. May record {@code stream} as the lease's owner, in which case
     * it calls {@link #track}.
     */
    KeepAliveResponse renew(KeepAliveRequest request, KeepAliveStream stream);

    /** The stream ended; it no longer owns {@code leaseIds}. */
    void closed(KeepAliveStream stream, Set<String> leaseIds);
  }

  private final ServerCallStreamObserver<KeepAliveResponse> responses;
  private final Handler handler;
  private final SynchronizationContext context =
      new SynchronizationContext(
          (thread, error) -> log.error("keep-alive stream task failed", error));
  // Guarded by context:
  private final Set<String> owned = new HashSet<>();
  private boolean closed;
  private boolean wantsRequest;

  /** Takes over flow control of {@code responses}; call from the service method. */
  KeepAliveStream(StreamObserver<KeepAliveResponse> responses, Handler handler) {
    this.responses = (ServerCallStreamObserver<KeepAliveResponse>) responses;
    this.handler = requireNonNull(handler, "handler");
    this.responses.disableAutoRequest();
    this.responses.setOnReadyHandler(() -> context.execute(this::requestIfWanted));
    this.responses.setOnCancelHandler(() -> context.execute(() -> close(null)));
    this.responses.request(1);
  }

  @Override
  public void onNext(KeepAliveRequest request) {
    String error = validate(request);
    if (error != null) {
      log.warn("keep-alive stream rejected: {}", error);
      context.execute(() -> close(Status.INVALID_ARGUMENT.withDescription(error)));
      return;
    }
    KeepAliveResponse answer = handler.renew(request, this);
    context.execute(
        () -> {
          if (closed) {
            return;
          }
          responses.onNext(answer);
          wantsRequest = true;
          requestIfWanted();
        });
  }

  @Override
  public void onError(Throwable error) {
    Status status = Status.fromThrowable(error);
    if (status.getCode() == Status.Code.CANCELLED) {
      log.debug("keep-alive stream cancelled by the client");
    } else {
      log.info("keep-alive stream failed: {}", status);
    }
    context.execute(() -> close(null));
  }

  @Override
  public void onCompleted() {
    context.execute(() -> close(Status.OK));
  }

  /** Sends an unprompted event, unless the stream has ended. Never blocks. */
  void send(KeepAliveResponse event) {
    context.execute(
        () -> {
          if (!closed) {
            responses.onNext(event);
          }
        });
  }

  /** Records that this stream now owns {@code leaseId}'s events. */
  void track(String leaseId) {
    context.execute(() -> owned.add(leaseId));
  }

  /** Records that this stream no longer owns {@code leaseId}'s events. */
  void untrack(String leaseId) {
    context.execute(() -> owned.remove(leaseId));
  }

  private void requestIfWanted() {
    if (wantsRequest && !closed && responses.isReady()) {
      wantsRequest = false;
      responses.request(1);
    }
  }

  /**
   * Ends the stream: with {@code status} OK completes it, with another status fails it, with null
   * (the client went away) writes nothing.
   */
  private void close(Status status) {
    if (closed) {
      return;
    }
    closed = true;
    if (status != null && status.isOk()) {
      responses.onCompleted();
    } else if (status != null) {
      responses.onError(status.asRuntimeException());
    }
    Set<String> leaseIds = Set.copyOf(owned);
    owned.clear();
    handler.closed(this, leaseIds);
  }

  /** The error in a request, naming the field, or null if it is valid. */
  static String validate(KeepAliveRequest request) {
    if (request.getLeaseId().isEmpty()) {
      return "lease_id: \"\" (expected: a lease id from Register)";
    }
    switch (request.getHealth()) {
      case HEALTH_STATUS_UNSPECIFIED, SERVING, NOT_SERVING -> {
        return null;
      }
      default -> {
        String value =
            request.getHealth() == HealthStatus.UNRECOGNIZED
                ? String.valueOf(request.getHealthValue())
                : request.getHealth().name();
        return "health: "
            + value
            + " (expected: SERVING, NOT_SERVING or HEALTH_STATUS_UNSPECIFIED;"
            + " use Deregister to drain)";
      }
    }
  }
}
