package io.weft.sidecar.agent;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.weft.mesh.v1.KeepAliveRequest;
import io.weft.mesh.v1.KeepAliveResponse;
import io.weft.mesh.v1.RegistrationServiceGrpc;

/**
 * One KeepAlive stream to the control plane. Requests are sent from the synchronization context
 * (so one at a time); responses and the end of the stream reach the listener in that context,
 * naming the stream so the listener can ignore one it has replaced.
 */
final class KeepAliveStream {

  /** Receives what happens on a stream, in the synchronization context. */
  interface Listener {
    void onResponse(KeepAliveStream stream, KeepAliveResponse response);

    /** The stream ended; never called after {@link #cancel(String)}. */
    void onClosed(KeepAliveStream stream, Status status);
  }

  private final ClientCall<KeepAliveRequest, KeepAliveResponse> call;
  private final StreamObserver<KeepAliveRequest> requests;
  private boolean cancelled;

  /** Opens the stream. Call in the synchronization context. */
  KeepAliveStream(Channel controlPlane, SynchronizationContext syncContext, Listener listener) {
    requireNonNull(syncContext, "syncContext");
    requireNonNull(listener, "listener");
    call = requireNonNull(controlPlane, "controlPlane")
        .newCall(RegistrationServiceGrpc.getKeepAliveMethod(), CallOptions.DEFAULT);
    requests = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<>() {
      @Override
      public void onNext(KeepAliveResponse response) {
        syncContext.execute(() -> {
          if (!cancelled) {
            listener.onResponse(KeepAliveStream.this, response);
          }
        });
      }

      @Override
      public void onError(Throwable t) {
        Status status = Status.fromThrowable(t);
        syncContext.execute(() -> {
          if (!cancelled) {
            listener.onClosed(KeepAliveStream.this, status);
          }
        });
      }

      @Override
      public void onCompleted() {
        syncContext.execute(() -> {
          if (!cancelled) {
            listener.onClosed(KeepAliveStream.this, Status.UNAVAILABLE.withDescription(
                "the control plane ended the KeepAlive stream"));
          }
        });
      }
    });
  }

  /** Sends one request. Call in the synchronization context. */
  void send(KeepAliveRequest request) {
    if (!cancelled) {
      requests.onNext(request);
    }
  }

  /** Cancels the stream; the listener hears nothing more. Call in the synchronization context. */
  void cancel(String why) {
    if (!cancelled) {
      cancelled = true;
      call.cancel(why, null);
    }
  }
}
