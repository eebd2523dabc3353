package io.weft.controlplane.registration;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.KeepAliveRequest;
import io.weft.mesh.v1.KeepAliveResponse;
import io.weft.mesh.v1.RegistrationServiceGrpc;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A test's end of one KeepAlive stream. */
public final class KeepAliveClient implements StreamObserver<KeepAliveResponse> {

  private static final long WAIT_SECONDS = 20;

  private final BlockingQueue<KeepAliveResponse> responses = new LinkedBlockingQueue<>();
  private final CompletableFuture<Status> closed = new CompletableFuture<>();
  private final StreamObserver<KeepAliveRequest> requests;

  public KeepAliveClient(RegistrationServiceGrpc.RegistrationServiceStub stub) {
    this.requests = stub.keepAlive(this);
  }

  /** Sends one renewal. */
  public void renew(String leaseId, HealthStatus health) {
    requests.onNext(KeepAliveRequest.newBuilder().setLeaseId(leaseId).setHealth(health).build());
  }

  /** Sends one renewal and returns the next message the stream receives. */
  public KeepAliveResponse renewAndAwait(String leaseId, HealthStatus health) throws Exception {
    renew(leaseId, health);
    return next();
  }

  /** The next message the stream receives, waiting up to 20 s. */
  public KeepAliveResponse next() throws Exception {
    KeepAliveResponse response = responses.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(response).as("a keep-alive response within %d s", WAIT_SECONDS).isNotNull();
    return response;
  }

  /** Whether a message arrived that nobody took yet. */
  public boolean hasUnread() {
    return !responses.isEmpty();
  }

  /** The status the stream ended with, waiting up to 20 s. */
  public Status awaitClosed() throws Exception {
    return closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  public void complete() {
    requests.onCompleted();
  }

  @Override
  public void onNext(KeepAliveResponse response) {
    responses.add(response);
  }

  @Override
  public void onError(Throwable error) {
    closed.complete(Status.fromThrowable(error));
  }

  @Override
  public void onCompleted() {
    closed.complete(Status.OK);
  }
}
