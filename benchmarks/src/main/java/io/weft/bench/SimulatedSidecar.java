package io.weft.bench;

import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.DiscoveryServiceGrpc;
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
 * response as a sidecar does. It only timestamps and keeps what it receives (no lock, no
 * bookkeeping on the receiving thread, so the measurement does not slow what it measures); the
 * ledger replays it afterwards.
 */
final class SimulatedSidecar
    implements ClientResponseObserver<DiscoveryRequest, DiscoveryResponse> {

  private final String nodeId;
  private final List<String> services;
  private final List<Receipt> receipts = new ArrayList<>();
  private final CountDownLatch firstResponses;
  private final AtomicLong responses;
  private ClientCallStreamObserver<DiscoveryRequest> requests;
  private boolean first = true;
  private volatile boolean closing;

  /** One response: when it arrived and the services it carried. */
  private record Receipt(long nanos, List<ServiceEndpoints> services) {}

  SimulatedSidecar(String nodeId, List<String> services, CountDownLatch firstResponses,
      AtomicLong responses) {
    this.nodeId = nodeId;
    this.services = services;
    this.firstResponses = firstResponses;
    this.responses = responses;
  }

  void start(ManagedChannel channel) {
    DiscoveryServiceGrpc.newStub(channel).streamEndpoints(this);
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
  public void onNext(DiscoveryResponse response) {
    long now = System.nanoTime();
    responses.incrementAndGet();
    synchronized (receipts) {
      receipts.add(new Receipt(now, response.getServicesList()));
    }
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setResponseNonce(response.getNonce())
            .setVersionInfo(response.getVersionInfo())
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
        for (ServiceEndpoints service : receipt.services()) {
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
