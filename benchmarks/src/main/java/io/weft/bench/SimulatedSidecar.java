package io.weft.bench;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.Node;
import io.weft.mesh.v1.ServiceEndpoints;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated sidecar: a real discovery stream that subscribes to some services and ACKs every
 * response as a sidecar does. It only timestamps and keeps what it receives, undecoded (see {@link
 * UndecodedResponse}; no bookkeeping on the receiving thread, so the measurement does not slow
 * what it measures); the ledger replays it afterwards.
 */
final class SimulatedSidecar
    implements ClientResponseObserver<DiscoveryRequest, UndecodedResponse> {

  private final String nodeId;
  private final List<String> services;
  private final List<Receipt> receipts = new ArrayList<>();
  private final CountDownLatch firstResponses;
  private final AtomicLong responses;
  private ClientCallStreamObserver<DiscoveryRequest> requests;
  private boolean first = true;
  private volatile boolean closing;

  /** One response: when it arrived, and what it carried. */
  private record Receipt(long nanos, UndecodedResponse response) {}

  SimulatedSidecar(String nodeId, List<String> services, CountDownLatch firstResponses,
      AtomicLong responses) {
    this.nodeId = nodeId;
    this.services = services;
    this.firstResponses = firstResponses;
    this.responses = responses;
  }

  void start(ManagedChannel channel) {
    ClientCalls.asyncBidiStreamingCall(
        channel.newCall(UndecodedResponse.METHOD, CallOptions.DEFAULT), this);
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId(nodeId).setService("bench-client"))
            .addAllServiceNamesSubscribe(services)
            .build());
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> requestStream) {
    this.requests = requestStream;
  }

  @Override
  public void onNext(UndecodedResponse response) {
    long now = System.nanoTime();
    responses.incrementAndGet();
    synchronized (receipts) {
      receipts.add(new Receipt(now, response));
    }
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setResponseNonce(response.nonce())
            .setVersionInfo(response.version())
            .build());
    if (first) {
      first = false;
      firstResponses.countDown();
    }
  }

  @Override
  public void onError(Throwable t) {
    if (!closing) {
      System.err.println("sidecar " + nodeId + " stream failed: " + t);
    }
  }

  @Override
  public void onCompleted() {}

  /** Reports everything received, in arrival order, to the ledger. */
  void replay(PropagationLedger ledger) {
    synchronized (receipts) {
      for (Receipt receipt : receipts) {
        for (ServiceEndpoints service : receipt.response().decode().getServicesList()) {
          Set<String> ids = new HashSet<>(service.getInstancesCount() * 2);
          for (Instance instance : service.getInstancesList()) {
            ids.add(instance.getInstanceId());
          }
          ledger.observed(nodeId, service.getService(), ids, receipt.nanos());
        }
      }
    }
  }

  void close() {
    closing = true;
    requests.onCompleted();
  }
}
