package io.weft.sidecar.discovery;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.DiscoveryServiceGrpc;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A discovery service the test scripts: it records every stream and every request, and sends or
 * fails only when told to. It can also refuse new streams at once.
 */
final class FakeDiscoveryService extends DiscoveryServiceGrpc.DiscoveryServiceImplBase {

  private static final long WAIT_SECONDS = 20;

  private final BlockingQueue<FakeStream> streams = new LinkedBlockingQueue<>();
  private volatile Status refuseWith;

  /** New streams fail at once with {@code status}; null accepts them again. */
  void refuseStreamsWith(Status status) {
    refuseWith = status;
  }

  /** The next stream opened (in order), waiting for it if needed. */
  FakeStream awaitStream() throws InterruptedException {
    FakeStream stream = streams.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    if (stream == null) {
      throw new AssertionError("no discovery stream opened within " + WAIT_SECONDS + " s");
    }
    return stream;
  }

  /** Streams opened and not yet taken with {@link #awaitStream()}. */
  int pendingStreams() {
    return streams.size();
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamEndpoints(
      StreamObserver<DiscoveryResponse> responses) {
    FakeStream stream = new FakeStream((ServerCallStreamObserver<DiscoveryResponse>) responses);
    streams.add(stream);
    Status refuse = refuseWith;
    if (refuse != null) {
      stream.fail(refuse);
    }
    return stream.requestObserver;
  }

  /** One stream as the server sees it. */
  static final class FakeStream {
    private final ServerCallStreamObserver<DiscoveryResponse> responses;
    private final BlockingQueue<DiscoveryRequest> requests = new LinkedBlockingQueue<>();
    private volatile boolean clientGone;

    private final StreamObserver<DiscoveryRequest> requestObserver =
        new StreamObserver<>() {
          @Override
          public void onNext(DiscoveryRequest request) {
            requests.add(request);
          }

          @Override
          public void onError(Throwable t) {
            clientGone = true;
          }

          @Override
          public void onCompleted() {
            clientGone = true;
          }
        };

    FakeStream(ServerCallStreamObserver<DiscoveryResponse> responses) {
      this.responses = responses;
    }

    /** The next request received on this stream, waiting for it if needed. */
    DiscoveryRequest awaitRequest() throws InterruptedException {
      DiscoveryRequest request = requests.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      if (request == null) {
        throw new AssertionError("no discovery request within " + WAIT_SECONDS + " s");
      }
      return request;
    }

    /** Requests received and not yet taken with {@link #awaitRequest()}. */
    int pendingRequests() {
      return requests.size();
    }

    synchronized void send(DiscoveryResponse response) {
      responses.onNext(response);
    }

    synchronized void fail(Status status) {
      responses.onError(status.asRuntimeException());
    }

    synchronized void complete() {
      responses.onCompleted();
    }

    /** Whether the client cancelled or half-closed the stream. */
    boolean clientGone() {
      return clientGone;
    }
  }
}
