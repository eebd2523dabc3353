package io.weft.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Code;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.DiscoveryServiceGrpc;
import io.weft.mesh.v1.KnownService;
import io.weft.mesh.v1.Node;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test client of the discovery stream: sends requests from the test thread and collects every
 * response. The node (and initial state) goes on the first request unless it is sent raw.
 */
public final class TestSidecar {

  private static final long WAIT_SECONDS = 20;

  private final Node node;
  private final Map<String, KnownService> initialState;
  private final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
  private final CompletableFuture<Status> closed = new CompletableFuture<>();
  private final AtomicInteger received = new AtomicInteger();
  private final ClientCallStreamObserver<DiscoveryRequest> requests;
  private boolean first = true;

  public TestSidecar(
      DiscoveryServiceGrpc.DiscoveryServiceStub stub,
      Node node,
      Map<String, KnownService> initialState,
      boolean manualFlowControl) {
    this.node = node;
    this.initialState = initialState;
    CompletableFuture<ClientCallStreamObserver<DiscoveryRequest>> call = new CompletableFuture<>();
    stub.streamEndpoints(
        new ClientResponseObserver<DiscoveryRequest, DiscoveryResponse>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> stream) {
            if (manualFlowControl) {
              stream.disableAutoRequestWithInitial(0);
            }
            call.complete(stream);
          }

          @Override
          public void onNext(DiscoveryResponse response) {
            received.incrementAndGet();
            responses.add(response);
          }

          @Override
          public void onError(Throwable t) {
            closed.complete(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            closed.complete(Status.OK);
          }
        });
    requests = call.join();
  }

  public String nodeId() {
    return node.getId();
  }

  /** Sends a request; the first one carries the node and initial state. */
  public void send(DiscoveryRequest.Builder request) {
    if (first) {
      request.setNode(node).putAllInitialServiceState(initialState);
    }
    sendRaw(request.build());
  }

  /** Sends exactly this request. */
  public void sendRaw(DiscoveryRequest request) {
    first = false;
    requests.onNext(request);
  }

  public void subscribe(String... services) {
    send(DiscoveryRequest.newBuilder().addAllServiceNamesSubscribe(List.of(services)));
  }

  public void unsubscribe(String... services) {
    send(DiscoveryRequest.newBuilder().addAllServiceNamesUnsubscribe(List.of(services)));
  }

  public void subscribeRoutes(String... routes) {
    send(DiscoveryRequest.newBuilder().addAllRouteNamesSubscribe(List.of(routes)));
  }

  public void ack(DiscoveryResponse response) {
    send(
        DiscoveryRequest.newBuilder()
            .setResponseNonce(response.getNonce())
            .setVersionInfo(response.getVersionInfo()));
  }

  public void nack(DiscoveryResponse response, String heldVersion, String message) {
    send(
        DiscoveryRequest.newBuilder()
            .setResponseNonce(response.getNonce())
            .setVersionInfo(heldVersion)
            .setErrorDetail(
                com.google.rpc.Status.newBuilder()
                    .setCode(Code.INVALID_ARGUMENT_VALUE)
                    .setMessage(message)));
  }

  /** The next response, waiting up to 20 s for it. */
  public DiscoveryResponse next() throws InterruptedException {
    DiscoveryResponse response = responses.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(response).as("a response to " + node.getId()).isNotNull();
    return response;
  }

  /** Responses received so far, read or not. */
  public int received() {
    return received.get();
  }

  /** Asks the transport for {@code count} more responses (manual flow control only). */
  public void request(int count) {
    requests.request(count);
  }

  public void cancel() {
    requests.cancel("test breaks the stream", null);
  }

  public void complete() {
    requests.onCompleted();
  }

  /** The status the stream ended with, waiting up to 20 s for it. */
  public Status awaitClosed() throws Exception {
    return closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }
}
