package io.weft.sidecar.discovery;

import static java.util.Objects.requireNonNull;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.DiscoveryServiceGrpc;

/**
 * One {@code StreamEndpoints} call. Its events hop into the client's synchronization context;
 * it receives one response at a time (the next only after {@link #requestNext()}). Its methods
 * are called from that context only, which also serializes the calls to the request observer.
 */
final class DiscoveryStream {

  /** Receives a stream's events, in the synchronization context. */
  interface Listener {
    void onResponse(DiscoveryStream stream, DiscoveryResponse response);

    /** The call ended: {@code status} is never OK (a completed call reads UNAVAILABLE). */
    void onClosed(DiscoveryStream stream, Status status);
  }

  private final SynchronizationContext syncContext;
  private final Listener listener;
  private ClientCallStreamObserver<DiscoveryRequest> requests;

  private DiscoveryStream(SynchronizationContext syncContext, Listener listener) {
    this.syncContext = requireNonNull(syncContext, "syncContext");
    this.listener = requireNonNull(listener, "listener");
  }

  /**
   * Starts a call on the channel, in the root context: the first watch of a name often comes
   * from inside a proxied call, whose context is cancelled when that call ends, and the stream
   * must outlive it.
   */
  static DiscoveryStream open(
      Channel channel, SynchronizationContext syncContext, Listener listener) {
    DiscoveryStream stream = new DiscoveryStream(syncContext, listener);
    Context.ROOT.run(() ->
        DiscoveryServiceGrpc.newStub(channel).streamEndpoints(stream.new ResponseObserver()));
    return stream;
  }

  void send(DiscoveryRequest request) {
    requests.onNext(request);
  }

  /** Asks for the next response, once the current one is handled. */
  void requestNext() {
    requests.request(1);
  }

  /** Cancels the call; its closing event is still delivered, with CANCELLED. */
  void cancel(String reason) {
    requests.cancel(reason, null);
  }

  private final class ResponseObserver
      implements ClientResponseObserver<DiscoveryRequest, DiscoveryResponse> {

    @Override
    public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> requestStream) {
      requests = requestStream;
      requestStream.disableAutoRequestWithInitial(1);
    }

    @Override
    public void onNext(DiscoveryResponse response) {
      syncContext.execute(() -> listener.onResponse(DiscoveryStream.this, response));
    }

    @Override
    public void onError(Throwable t) {
      Status status = Status.fromThrowable(t);
      syncContext.execute(() -> listener.onClosed(DiscoveryStream.this, status));
    }

    @Override
    public void onCompleted() {
      Status status = Status.UNAVAILABLE.withDescription("stream completed by the control plane");
      syncContext.execute(() -> listener.onClosed(DiscoveryStream.this, status));
    }
  }
}
