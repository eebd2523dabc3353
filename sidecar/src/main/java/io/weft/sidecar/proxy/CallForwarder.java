package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.weft.sidecar.balancer.MeshCallOptions;
import io.weft.sidecar.balancer.PickedUpstream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards one caller's call ({@link ServerCall}) to one upstream call ({@link ClientCall}), as
 * bytes, for every call type: headers, messages, half-close, trailers and status (with details)
 * from one side to the other; the caller's deadline on the upstream call; cancellation both ways;
 * flow control one message at a time in each direction ({@code request(1)} on one side only when
 * the other side is ready, so a slow reader never makes the proxy buffer more than one message);
 * the caller's message encoding asked of the upstream and the upstream's response encoding used
 * towards the caller when the caller accepts it; and the {@code x-weft-upstream} response header
 * from the {@link PickedUpstream} the balancer fills.
 *
 * <p>Nothing is requested from the caller before {@link #start} has started the upstream call.
 * Every event of both calls runs in one per-call {@link SynchronizationContext}, so the state needs
 * no lock and the two calls are used by one thread at a time.
 */
final class CallForwarder {

  private static final Logger logger = LoggerFactory.getLogger(CallForwarder.class);

  private final ServerCall<byte[], byte[]> caller;
  private final Metadata requestHeaders;
  private final Context callerContext;
  private final Context upstreamContext;
  private final int maxMessageSize;
  private final PickedUpstream picked = new PickedUpstream();
  private final SynchronizationContext syncContext =
      new SynchronizationContext((thread, error) -> abort(error));

  // All below only in syncContext.
  private ClientCall<byte[], byte[]> upstream;
  private ProxyMetrics.Call metrics;
  private boolean callerHalfClosed;
  private boolean headersSent;
  private Status closedWith;
  private Status.Code endCode;
  private boolean callerMessageWanted;
  private boolean upstreamMessageWanted;

  /**
   * A forwarder for {@code caller}, created in the handler's {@code startCall}, where {@code
   * callerContext} is the current (the call's) context.
   */
  CallForwarder(
      ServerCall<byte[], byte[]> caller,
      Metadata requestHeaders,
      Context callerContext,
      int maxMessageSize) {
    this.caller = requireNonNull(caller, "caller");
    this.requestHeaders = requireNonNull(requestHeaders, "requestHeaders");
    this.callerContext = requireNonNull(callerContext, "callerContext");
    // Cancellation and the deadline are forwarded explicitly, not through the context.
    this.upstreamContext = callerContext.fork();
    this.maxMessageSize = maxMessageSize;
  }

  /** The listener to return from {@code startCall}. */
  ServerCall.Listener<byte[]> callerListener() {
    return new CallerListener();
  }

  /** Starts the upstream call on {@code channel}; a no-op if the caller has gone already. */
  void start(Channel channel, ProxyMetrics.Call callMetrics) {
    requireNonNull(channel, "channel");
    requireNonNull(callMetrics, "callMetrics");
    syncContext.execute(
        () -> {
          metrics = callMetrics;
          if (endCode != null) {
            recordEnd();
            return;
          }
          Context previous = upstreamContext.attach();
          try {
            upstream = channel.newCall(caller.getMethodDescriptor(), upstreamOptions());
            upstream.start(
                new UpstreamListener(), ForwardedMetadata.requestHeaders(requestHeaders));
          } finally {
            upstreamContext.detach(previous);
          }
          upstream.request(1);
          if (callerHalfClosed) {
            upstream.halfClose();
          } else {
            requestFromCallerWhenUpstreamReady();
          }
        });
  }

  /** Ends the caller's call with {@code status} without an upstream call. */
  void fail(Status status, ProxyMetrics.Call callMetrics) {
    requireNonNull(status, "status");
    requireNonNull(callMetrics, "callMetrics");
    syncContext.execute(
        () -> {
          metrics = callMetrics;
          if (endCode != null) {
            recordEnd();
            return;
          }
          closeCaller(status, new Metadata());
        });
  }

  private CallOptions upstreamOptions() {
    CallOptions options =
        CallOptions.DEFAULT
            // The upstream listener only hops into this call's synchronization context and never
            // blocks: it runs on the transport's thread, without a hand-off to another one.
            .withExecutor(MoreExecutors.directExecutor())
            .withOption(MeshCallOptions.PICKED_UPSTREAM, picked)
            .withMaxInboundMessageSize(maxMessageSize)
            .withMaxOutboundMessageSize(maxMessageSize);
    Deadline deadline = callerContext.getDeadline();
    if (deadline != null) {
      options = options.withDeadline(deadline);
    }
    String encoding = ForwardedMetadata.knownEncoding(requestHeaders);
    if (encoding != null) {
      options = options.withCompression(encoding);
    }
    return options;
  }

  private void requestFromCallerWhenUpstreamReady() {
    if (upstream.isReady()) {
      caller.request(1);
    } else {
      callerMessageWanted = true;
    }
  }

  private boolean forwarding() {
    return upstream != null && endCode == null && closedWith == null;
  }

  private void sendHeadersToCaller(Metadata upstreamHeaders) {
    Metadata headers = ForwardedMetadata.responseMetadata(upstreamHeaders);
    addUpstreamName(headers);
    String encoding = ForwardedMetadata.knownEncoding(upstreamHeaders);
    if (encoding != null) {
      // grpc-java falls back to identity when the caller does not accept the encoding.
      caller.setCompression(encoding);
    }
    caller.sendHeaders(headers);
    headersSent = true;
  }

  private void addUpstreamName(Metadata metadata) {
    String upstreamName = picked.describe();
    if (upstreamName != null) {
      metadata.discardAll(ForwardedMetadata.UPSTREAM);
      metadata.put(ForwardedMetadata.UPSTREAM, upstreamName);
    }
  }

  private void closeCaller(Status status, Metadata trailers) {
    closedWith = status;
    caller.close(status, trailers);
  }

  private Status callerGoneStatus() {
    Deadline deadline = callerContext.getDeadline();
    Status status =
        deadline != null && deadline.isExpired()
            ? Status.DEADLINE_EXCEEDED.withDescription("the caller's deadline expired")
            : Status.CANCELLED.withDescription("the caller cancelled the call");
    return status.withCause(callerContext.cancellationCause());
  }

  private void callerEnded(Status.Code code) {
    endCode = code;
    recordEnd();
  }

  private void recordEnd() {
    if (metrics != null) {
      metrics.end(endCode, picked.instanceId());
    }
  }

  /** Called by the sync context when a task throws: ends both calls. */
  private void abort(Throwable error) {
    logger.error(
        "proxying {} failed; ending the call",
        caller.getMethodDescriptor().getFullMethodName(),
        error);
    Status status = Status.INTERNAL.withDescription("the proxy failed: " + error).withCause(error);
    if (upstream != null && endCode == null && closedWith == null) {
      cancelQuietly(() -> upstream.cancel("the proxy failed", error));
    }
    if (endCode == null && closedWith == null) {
      closedWith = status;
      cancelQuietly(() -> caller.close(status, new Metadata()));
    }
  }

  private static void cancelQuietly(Runnable cancel) {
    try {
      cancel.run();
    } catch (RuntimeException e) {
      logger.debug("ending a failed call failed too", e);
    }
  }

  /** Events of the caller's call. */
  private final class CallerListener extends ServerCall.Listener<byte[]> {

    @Override
    public void onMessage(byte[] message) {
      syncContext.execute(
          () -> {
            if (forwarding()) {
              upstream.sendMessage(message);
              requestFromCallerWhenUpstreamReady();
            }
          });
    }

    @Override
    public void onHalfClose() {
      syncContext.execute(
          () -> {
            if (upstream == null) {
              callerHalfClosed = true;
            } else if (forwarding()) {
              upstream.halfClose();
            }
          });
    }

    @Override
    public void onCancel() {
      syncContext.execute(
          () -> {
            Status gone = callerGoneStatus();
            if (upstream != null && closedWith == null) {
              upstream.cancel(gone.getDescription(), gone.asRuntimeException());
            }
            boolean failedBefore = closedWith != null && !closedWith.isOk();
            callerEnded(failedBefore ? closedWith.getCode() : gone.getCode());
          });
    }

    @Override
    public void onComplete() {
      syncContext.execute(
          () -> callerEnded(closedWith == null ? Status.Code.OK : closedWith.getCode()));
    }

    @Override
    public void onReady() {
      syncContext.execute(
          () -> {
            if (upstreamMessageWanted && forwarding()) {
              upstreamMessageWanted = false;
              upstream.request(1);
            }
          });
    }
  }

  /** Events of the upstream call. */
  private final class UpstreamListener extends ClientCall.Listener<byte[]> {

    @Override
    public void onHeaders(Metadata headers) {
      syncContext.execute(
          () -> {
            if (forwarding()) {
              sendHeadersToCaller(headers);
            }
          });
    }

    @Override
    public void onMessage(byte[] message) {
      syncContext.execute(
          () -> {
            if (!forwarding()) {
              return;
            }
            if (!headersSent) {
              sendHeadersToCaller(new Metadata());
            }
            caller.sendMessage(message);
            if (caller.isReady()) {
              upstream.request(1);
            } else {
              upstreamMessageWanted = true;
            }
          });
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      syncContext.execute(
          () -> {
            if (!forwarding()) {
              return;
            }
            Metadata forwarded = ForwardedMetadata.responseMetadata(trailers);
            if (!headersSent) {
              addUpstreamName(forwarded);
            }
            closeCaller(status, forwarded);
          });
    }

    @Override
    public void onReady() {
      syncContext.execute(
          () -> {
            if (callerMessageWanted && forwarding()) {
              callerMessageWanted = false;
              caller.request(1);
            }
          });
    }
  }
}
