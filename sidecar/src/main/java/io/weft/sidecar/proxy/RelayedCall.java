package io.weft.sidecar.proxy;

import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.util.concurrent.ScheduledFuture;
import io.weft.sidecar.balancer.PickedEndpoint;
import io.weft.sidecar.proxy.ProxyMetrics.Direction;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call through a frame relay: a caller's HTTP/2 stream relayed, frame by frame, to a stream on
 * a connection to an upstream, and back. What the upstream is, and what the call records of it, is
 * the subclass's: {@link OutboundRelayedCall} routes and picks an instance of a mesh service, {@link
 * InboundRelayedCall} goes to the local app.
 *
 * <p>Request frames that arrive before the upstream stream is open wait, uncredited. A stream the
 * upstream never processed (refused, GOAWAY, a connection that failed or closed before the stream
 * was sent) is picked again and replayed, at most {@value #MAX_TRANSPARENT_RETRIES} times, as
 * grpc-java's transparent retry does; the request bytes are kept for that until the upstream
 * answers, up to {@value #REPLAY_LIMIT} bytes. Each DATA frame is credited back to its sender only
 * once written to the other side. Messages over the size limit end the call with
 * RESOURCE_EXHAUSTED; the call's deadline ({@code grpc-timeout}) is passed on as what is left of
 * it, and enforced here too. Everything runs on the caller connection's event loop, which is also
 * the upstream connection's.
 */
abstract class RelayedCall implements UpstreamConnection.Stream {

  private static final Logger logger = LoggerFactory.getLogger(RelayedCall.class);

  /** Most times a call is picked again because the upstream never processed its stream. */
  static final int MAX_TRANSPARENT_RETRIES = 3;

  /** Most request bytes kept for replaying the request to another upstream: 64 KiB. */
  static final int REPLAY_LIMIT = 64 * 1024;

  final FrameRelay relay;
  final CallerConnection caller;
  final long startNanos;
  private final int callerStream;
  private final long arrivalNanos = System.nanoTime();
  private final MessageSizeGuard requestGuard;
  private final MessageSizeGuard responseGuard;
  private final ArrayDeque<Chunk> unsent = new ArrayDeque<>(2);
  private final ArrayDeque<Chunk> replay = new ArrayDeque<>(2);

  /** The upstream's mesh service: set once routed. */
  String service;
  /** The endpoint of the current attempt: set once picked. */
  PickedEndpoint picked;
  /** The call's metrics: set once its service is known. */
  ProxyMetrics.Call metrics;
  /** Attempts made before the current one. */
  int retries;
  /** Whether the call is over for the relay. */
  boolean ended;

  private Http2Headers requestHeaders;
  private CharSequence path;
  private String fullMethodName;
  private long deadlineNanos;
  private boolean hasDeadline;
  private ScheduledFuture<?> deadlineTimer;
  private boolean requestEndedWithHeaders;
  private UpstreamConnection upstream;
  private int upstreamStream;
  private boolean replayable = true;
  private int replayBytes;
  private boolean responseStarted;

  /** A call on stream {@code callerStream} of {@code caller}. */
  RelayedCall(FrameRelay relay, CallerConnection caller, int callerStream) {
    this.relay = relay;
    this.caller = caller;
    this.callerStream = callerStream;
    this.startNanos = relay.metrics().now();
    this.requestGuard = new MessageSizeGuard(relay.maxMessageSize());
    this.responseGuard = new MessageSizeGuard(relay.maxMessageSize());
  }

  /** The caller's request headers opened the stream. */
  void start(Http2Headers headers, boolean endOfStream) {
    requestHeaders = headers;
    requestEndedWithHeaders = endOfStream;
    String invalid = RelayHeaders.requestError(headers);
    if (invalid != null) {
      fail(Status.INTERNAL.withDescription("not a gRPC request: " + invalid));
      return;
    }
    path = headers.path();
    Long timeout;
    try {
      timeout = RelayHeaders.parseTimeout(headers.get(RelayHeaders.GRPC_TIMEOUT));
    } catch (IllegalArgumentException e) {
      fail(Status.INTERNAL.withDescription(e.getMessage()));
      return;
    }
    if (timeout != null) {
      hasDeadline = true;
      deadlineNanos = arrivalNanos + timeout;
    }
    route(headers.authority(), timeout);
    if (!ended && upstreamStream == 0) {
      armDeadlineTimer();
    }
  }

  /**
   * Decides where the call goes, given its {@code :authority} and {@code grpc-timeout} (null when
   * it has none), then {@link #pick()}s, now or once it knows, or {@link #fail}s the call.
   */
  abstract void route(CharSequence authority, Long timeoutNanos);

  /**
   * Chooses the upstream of the next attempt, sets {@link #picked} and {@link #connect}s to it, or
   * {@link #fail}s the call; called again for each transparent retry.
   */
  abstract void pick();

  /** The {@code :authority} the upstream receives; null keeps the caller's. */
  abstract String upstreamAuthority();

  /** Whether the response names the instance that served it ({@code x-weft-upstream}). */
  abstract boolean namesUpstream();

  /** The direction the call's metrics are recorded under. */
  abstract Direction direction();

  /** The attempt's upstream stream is about to be sent. */
  void attemptStarted() {}

  /** The attempt ended with {@code status} (the call may go on with another attempt). */
  void attemptEnded(Status status) {}

  /** The call has ended and everything about it is recorded. */
  void released() {}

  /** The call's method path ({@code /helloworld.Greeter/SayHello}). */
  final CharSequence path() {
    return path;
  }

  /** What is left of the call's deadline, in nanoseconds; null when it has none. */
  final Long remainingNanos() {
    return hasDeadline ? deadlineNanos - System.nanoTime() : null;
  }

  /** Shortens the call's deadline to {@code limitNanos} from its arrival, if that is sooner. */
  final void limitDeadline(long limitNanos) {
    if (!hasDeadline || deadlineNanos - arrivalNanos > limitNanos) {
      hasDeadline = true;
      deadlineNanos = arrivalNanos + limitNanos;
      if (deadlineTimer != null) {
        deadlineTimer.cancel(false);
        deadlineTimer = null;
        armDeadlineTimer();
      }
    }
  }

  /** Opens the attempt's upstream stream on this loop's connection to {@code address}. */
  final void connect(InetSocketAddress address) {
    caller.upstreams().connect(address, this::openUpstream,
        error -> connectFailed(address, error));
  }

  /** The call's method ({@code helloworld.Greeter/SayHello}); made once asked for. */
  final String fullMethodName() {
    if (fullMethodName == null && path != null) {
      fullMethodName = RelayHeaders.fullMethodName(path);
    }
    return fullMethodName;
  }

  /** A DATA frame from the caller; the call owns {@code data}. */
  void callerData(ByteBuf data, boolean endOfStream) {
    if (ended) {
      drop(data, caller, callerStream);
      return;
    }
    long oversized = requestGuard.oversizedIn(data);
    if (oversized >= 0) {
      drop(data, caller, callerStream);
      fail(tooLarge(oversized));
      return;
    }
    Chunk chunk = new Chunk(data, endOfStream, false);
    if (upstreamStream != 0) {
      sendUpstream(chunk);
    } else {
      unsent.add(chunk);
    }
  }

  /** Request trailers, which gRPC does not use: taken as the end of the request. */
  void callerTrailers() {
    callerData(Unpooled.EMPTY_BUFFER, true);
  }

  /** A step of this call threw {@code error}: ends the call with INTERNAL, both ways. */
  @Override
  public void abort(RuntimeException error) {
    logger.error("relaying {} to {} failed; ending the call", fullMethodName(),
        picked == null ? service : picked.describe(), error);
    if (!ended) {
      fail(Status.INTERNAL.withDescription("the " + relay.name() + " failed: " + error)
          .withCause(error));
    }
  }

  /** The caller reset its stream, or its connection closed. */
  void callerGone(String why) {
    if (ended) {
      return;
    }
    resetUpstream();
    finish(Status.CANCELLED.withDescription(why));
  }

  @Override
  public void upstreamHeaders(Http2Headers headers, boolean endOfStream) {
    if (ended) {
      return;
    }
    stopReplaying();
    boolean first = !responseStarted;
    responseStarted = true;
    Http2Headers forwarded = RelayHeaders.response(headers, first ? upstreamHeader() : null);
    if (!endOfStream) {
      caller.writeHeaders(callerStream, forwarded, false);
      return;
    }
    caller.endStream(callerStream, forwarded);
    upstreamStream = 0;
    finish(null, headers);
  }

  @Override
  public void upstreamData(ByteBuf data, boolean endOfStream) {
    int bytes = data.readableBytes();
    UpstreamConnection from = upstream;
    int fromStream = upstreamStream;
    if (ended) {
      drop(data, from, fromStream);
      return;
    }
    if (!responseStarted) {
      drop(data, from, fromStream);
      fail(Status.INTERNAL.withDescription(
          "the upstream " + picked.describe() + " sent DATA before response headers"));
      return;
    }
    long oversized = responseGuard.oversizedIn(data);
    if (oversized >= 0) {
      drop(data, from, fromStream);
      fail(tooLarge(oversized));
      return;
    }
    boolean stopRequestAfter = endOfStream && caller.requestOpen(callerStream);
    caller.writeData(callerStream, data, endOfStream).addListener(done -> {
      from.consumed(fromStream, bytes);
      if (stopRequestAfter) {
        caller.stopReadingAfterEnd(callerStream);
      }
    });
    if (endOfStream) {
      upstreamStream = 0;
      finish(Status.UNKNOWN.withDescription("the upstream ended the response without trailers"));
    }
  }

  @Override
  public void upstreamReset(long errorCode) {
    if (ended) {
      return;
    }
    upstreamStream = 0;
    if (errorCode == Http2Error.REFUSED_STREAM.code() && !responseStarted) {
      retryOrFail(picked.describe() + " refused the stream");
      return;
    }
    failFromUpstream(statusOfReset(errorCode).withDescription(
        "the upstream " + picked.describe() + " reset the stream (HTTP/2 error " + errorCode
            + ")"));
  }

  @Override
  public void upstreamRefused(String why) {
    if (ended) {
      return;
    }
    upstreamStream = 0;
    retryOrFail(why);
  }

  @Override
  public void upstreamLost(Status status) {
    if (ended) {
      return;
    }
    upstreamStream = 0;
    failFromUpstream(status);
  }

  private void connectFailed(InetSocketAddress address, Throwable error) {
    if (ended) {
      return;
    }
    retryOrFail("connecting to " + picked.describe() + " at " + address + " failed: " + error);
  }

  private void openUpstream(UpstreamConnection connection) {
    if (ended) {
      return;
    }
    upstream = connection;
    Http2Headers headers =
        RelayHeaders.upstreamRequest(requestHeaders, upstreamAuthority(), remainingNanos());
    int stream = connection.reserve(this);
    upstreamStream = stream;
    attemptStarted();
    connection.sendHeaders(stream, headers, requestEndedWithHeaders);
    Chunk next;
    while (upstreamStream == stream && upstream == connection && (next = unsent.poll()) != null) {
      sendUpstream(next);
    }
  }

  private void sendUpstream(Chunk chunk) {
    int bytes = chunk.data.readableBytes();
    if (replayable) {
      if (replayBytes + bytes <= REPLAY_LIMIT) {
        replay.add(new Chunk(chunk.data.retainedDuplicate(), chunk.endOfStream, true));
        replayBytes += bytes;
      } else {
        forgetReplay();
      }
    }
    var written = upstream.writeData(upstreamStream, chunk.data, chunk.endOfStream);
    if (!chunk.credited && bytes > 0) {
      written.addListener(done -> caller.consumed(callerStream, bytes));
    }
  }

  private void retryOrFail(String why) {
    attemptEnded(Status.UNAVAILABLE.withDescription(why));
    if (!replayable || retries >= MAX_TRANSPARENT_RETRIES) {
      fail(Status.UNAVAILABLE.withDescription(why + (replayable
          ? " (after " + (retries + 1) + " attempts)"
          : " (the request was too large to replay elsewhere)")));
      return;
    }
    retries++;
    armDeadlineTimer();
    for (Chunk kept = replay.pollLast(); kept != null; kept = replay.pollLast()) {
      unsent.addFirst(kept);
    }
    replayBytes = 0;
    pick();
  }

  /**
   * Enforces the deadline here once the call has to wait (for its route, a picker, a connection,
   * another attempt). A call that reaches its upstream at once needs no timer: the caller and the
   * upstream (given what is left as its {@code grpc-timeout}) both enforce the deadline.
   */
  private void armDeadlineTimer() {
    if (hasDeadline && deadlineTimer == null) {
      deadlineTimer = caller.eventLoop().schedule(
          () -> Flusher.current().run(this::deadlineExpired),
          deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }
  }

  private void deadlineExpired() {
    deadlineTimer = null;
    if (!ended) {
      fail(Status.DEADLINE_EXCEEDED.withDescription(
          "the call's deadline expired in the " + relay.name()));
    }
  }

  /** Ends the call with {@code status} from the relay: the upstream is reset, the caller told. */
  final void fail(Status status) {
    if (ended) {
      return;
    }
    resetUpstream();
    failFromUpstream(status);
  }

  /** Ends the call with {@code status}, the upstream stream being over already. */
  private void failFromUpstream(Status status) {
    if (ended) {
      return;
    }
    caller.endStream(callerStream, responseStarted
        ? RelayHeaders.trailers(status)
        : RelayHeaders.trailersOnly(status, upstreamHeader()));
    responseStarted = true;
    finish(status);
  }

  private void resetUpstream() {
    if (upstreamStream != 0) {
      upstream.forget(upstreamStream);
      upstream.writeReset(upstreamStream, Http2Error.CANCEL);
      upstreamStream = 0;
    }
  }

  private void finish(Status status) {
    finish(status, null);
  }

  /**
   * Ends the call for the relay with {@code status}, or with the status of the upstream's {@code
   * trailers} (read once they are flushed, when the call is recorded).
   */
  private void finish(Status status, Http2Headers trailers) {
    ended = true;
    if (deadlineTimer != null) {
      deadlineTimer.cancel(false);
    }
    for (Chunk left = unsent.poll(); left != null; left = unsent.poll()) {
      if (left.credited) {
        left.data.release();
      } else {
        drop(left.data, caller, callerStream);
      }
    }
    caller.forget(callerStream);
    Flusher.current().afterFlush(() -> recordEnd(status != null ? status : statusOf(trailers)));
  }

  /**
   * What is left once the call's last frames are flushed: the kept request bytes released, the
   * attempt and the metrics told how the call ended.
   */
  private void recordEnd(Status status) {
    forgetReplay();
    attemptEnded(status);
    if (metrics == null) {
      metrics = relay.metrics().start(direction(), ProxyMetrics.NONE, ProxyMetrics.NONE, startNanos);
    }
    metrics.end(status.getCode(), picked == null ? null : picked.instanceId());
    released();
  }

  /** The {@code x-weft-upstream} value of the response: the picked instance, if it is named. */
  private String upstreamHeader() {
    return namesUpstream() && picked != null ? picked.describe() : null;
  }

  /**
   * The upstream answered: the request is no longer replayed, and its kept bytes are released (the
   * writes still pending hold bytes of their own).
   */
  private void stopReplaying() {
    if (replayable) {
      forgetReplay();
    }
  }

  private void forgetReplay() {
    replayable = false;
    for (Chunk kept = replay.poll(); kept != null; kept = replay.poll()) {
      kept.data.release();
    }
    replayBytes = 0;
  }

  /** Discards a DATA frame the call will not pass on, crediting its bytes back to the sender. */
  private static void drop(ByteBuf data, FrameConnection from, int stream) {
    int bytes = data.readableBytes();
    data.release();
    from.consumed(stream, bytes);
  }

  private Status tooLarge(long length) {
    return Status.RESOURCE_EXHAUSTED.withDescription(String.format(
        "gRPC message exceeds maximum size %d: %d", relay.maxMessageSize(), length));
  }

  /** Runs {@code task} on the call's event loop, flushing what it writes. */
  final void onLoop(Runnable task) {
    try {
      caller.eventLoop().execute(() -> Flusher.current().run(task));
    } catch (RejectedExecutionException e) {
      // The relay is shutting down: its connections, and this call, are closing anyway.
    }
  }

  private static Status statusOf(Http2Headers trailers) {
    return Status.fromCode(RelayHeaders.statusCode(trailers));
  }

  /** The status a caller sees for an HTTP/2 reset, as grpc-java maps it. */
  private static Status statusOfReset(long errorCode) {
    if (errorCode == Http2Error.CANCEL.code()) {
      return Status.CANCELLED;
    }
    if (errorCode == Http2Error.REFUSED_STREAM.code()) {
      return Status.UNAVAILABLE;
    }
    if (errorCode == Http2Error.ENHANCE_YOUR_CALM.code()) {
      return Status.RESOURCE_EXHAUSTED;
    }
    if (errorCode == Http2Error.INADEQUATE_SECURITY.code()) {
      return Status.PERMISSION_DENIED;
    }
    return Status.INTERNAL;
  }

  /** Request bytes on their way upstream; {@code credited} once already credited to the caller. */
  private record Chunk(ByteBuf data, boolean endOfStream, boolean credited) {}
}
