package io.weft.sidecar.proxy;

import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Settings;
import io.grpc.netty.shaded.io.netty.util.collection.IntObjectHashMap;
import io.grpc.netty.shaded.io.netty.util.collection.IntObjectMap;
import io.grpc.netty.shaded.io.netty.util.concurrent.Promise;
import io.grpc.netty.shaded.io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The frame relay's HTTP/2 connection to one upstream endpoint: opens a stream per relayed call
 * (streams beyond the peer's concurrency limit wait in Netty's buffering encoder) and hands the
 * frames of each stream to its call. The bytes of a DATA frame are credited back to the upstream
 * only once the call has passed them to its caller, so a slow caller holds the upstream back
 * instead of making the relay buffer. A connection that carried no stream for {@link
 * #IDLE_TIMEOUT} or more is closed, so that instances that left the mesh do not keep one.
 */
final class UpstreamConnection extends FrameConnection {

  /** A relayed call's side of one of this connection's streams. Called on the event loop. */
  interface Stream {
    /** Response headers, or trailers. */
    void upstreamHeaders(Http2Headers headers, boolean endOfStream);

    /** Response bytes; the call owns {@code data} and credits its bytes back when passed on. */
    void upstreamData(ByteBuf data, boolean endOfStream);

    /** The upstream reset the stream. */
    void upstreamReset(long errorCode);

    /** The upstream never processed the stream (GOAWAY below it, or it was never written). */
    void upstreamRefused(String why);

    /** The connection ended while the stream was open. */
    void upstreamLost(Status status);

    /** Handling a frame of the stream threw {@code error}. */
    void abort(RuntimeException error);
  }

  /** A connection without streams for between one and two of these is closed: 5 minutes. */
  static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);

  /** Past this stream id the connection takes no new streams and a fresh one is opened. */
  private static final int LAST_STREAM_ID = Integer.MAX_VALUE - 1_000_000;

  private final InetSocketAddress address;
  private final IntObjectMap<Stream> streams = new IntObjectHashMap<>();
  private final Promise<UpstreamConnection> ready;
  private boolean goingAway;
  private long streamsOpened;
  private long streamsOpenedAtLastCheck;
  private ScheduledFuture<?> idleCheck;

  private UpstreamConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
      Http2Settings settings, InetSocketAddress address, EventLoop loop) {
    super(decoder, encoder, settings);
    this.address = address;
    this.ready = loop.newPromise();
  }

  /**
   * Completes once the connection is established and its preface sent, or fails when it cannot
   * be; listeners run on the connection's event loop.
   */
  Promise<UpstreamConnection> ready() {
    return ready;
  }

  /** Whether new streams may go on this connection. */
  boolean acceptsStreams() {
    return !goingAway && context() != null && context().channel().isOpen()
        && connection().local().lastStreamCreated() < LAST_STREAM_ID;
  }

  /** Reserves the next stream id for {@code stream}; {@link #sendHeaders} opens it. */
  int reserve(Stream stream) {
    int id = connection().local().incrementAndGetNextStreamId();
    streams.put(id, stream);
    streamsOpened++;
    return id;
  }

  /**
   * Opens reserved stream {@code id} with the request {@code headers}. If they cannot be sent, its
   * call hears that the stream was refused, possibly before this returns.
   */
  void sendHeaders(int id, Http2Headers headers, boolean endOfStream) {
    writeHeaders(id, headers, endOfStream).addListener(written -> {
      Stream stream;
      if (!written.isSuccess() && (stream = streams.remove(id)) != null) {
        stream.upstreamRefused("the request headers to " + address + " were not sent: "
            + written.cause());
      }
    });
  }

  /** Forgets stream {@code id}: its call has ended. */
  void forget(int id) {
    streams.remove(id);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    super.channelActive(ctx);
    RelayFlowControl.widenConnectionWindow(this);
    scheduleIdleCheck();
    ready.trySuccess(this);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    goingAway = true;
    if (idleCheck != null) {
      idleCheck.cancel(false);
    }
    ready.tryFailure(new ClosedChannelException());
    int lastSent = connection().local().lastStreamCreated();
    List<Stream> lost = new ArrayList<>();
    List<Stream> neverSent = new ArrayList<>();
    for (IntObjectMap.PrimitiveEntry<Stream> entry : streams.entries()) {
      (entry.key() > lastSent ? neverSent : lost).add(entry.value());
    }
    streams.clear();
    Status status = Status.UNAVAILABLE.withDescription("the connection to " + address + " closed");
    Flusher.current().run(() -> {
      lost.forEach(stream -> stream.upstreamLost(status));
      neverSent.forEach(stream -> stream.upstreamRefused(
          "the connection to " + address + " closed before the stream was sent"));
    });
    super.channelInactive(ctx);
  }

  private void scheduleIdleCheck() {
    idleCheck = context().executor().schedule(() -> {
      if (streams.isEmpty() && streamsOpened == streamsOpenedAtLastCheck) {
        context().close();
      } else {
        streamsOpenedAtLastCheck = streamsOpened;
        scheduleIdleCheck();
      }
    }, IDLE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void goAway(int lastStreamId, long errorCode) {
    goingAway = true;
    List<Integer> refusedIds = new ArrayList<>();
    for (IntObjectMap.PrimitiveEntry<Stream> entry : streams.entries()) {
      if (entry.key() > lastStreamId) {
        refusedIds.add(entry.key());
      }
    }
    List<Stream> refused = new ArrayList<>();
    refusedIds.forEach(id -> refused.add(streams.remove(id)));
    String why = address + " is going away (GOAWAY, error " + errorCode
        + ") and did not process the stream";
    refused.forEach(stream -> stream.upstreamRefused(why));
  }

  /** Hands frames to the streams' calls. */
  private final class Frames extends StreamFrames {
    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
        boolean endOfStream) {
      Stream stream = endOfStream ? streams.remove(streamId) : streams.get(streamId);
      if (stream == null) {
        return data.readableBytes() + padding;
      }
      ByteBuf retained = data.retain();
      guarded(stream::abort, () -> stream.upstreamData(retained, endOfStream));
      return padding;
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
        int padding, boolean endOfStream) {
      Stream stream = endOfStream ? streams.remove(streamId) : streams.get(streamId);
      if (stream != null) {
        guarded(stream::abort, () -> stream.upstreamHeaders(headers, endOfStream));
      }
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
      Stream stream = streams.remove(streamId);
      if (stream != null) {
        guarded(stream::abort, () -> stream.upstreamReset(errorCode));
      }
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode,
        ByteBuf debugData) {
      goAway(lastStreamId, errorCode);
    }
  }

  /** Builds the handler of a new connection to {@code address}. */
  static final class Builder
      extends AbstractHttp2ConnectionHandlerBuilder<UpstreamConnection, Builder> {
    private final InetSocketAddress address;
    private final EventLoop loop;

    Builder(InetSocketAddress address, EventLoop loop) {
      this.address = address;
      this.loop = loop;
      connection(RelayFlowControl.connection(false));
      encoderEnforceMaxConcurrentStreams(true);
      headerSensitivityDetector(RelayHeaders::neverIndexed);
      initialSettings(RelayFlowControl.settings(false));
    }

    @Override
    protected boolean isServer() {
      return false;
    }

    @Override
    public UpstreamConnection build() {
      return super.build();
    }

    @Override
    protected UpstreamConnection build(Http2ConnectionDecoder decoder,
        Http2ConnectionEncoder encoder, Http2Settings settings) {
      UpstreamConnection connection =
          new UpstreamConnection(decoder, encoder, settings, address, loop);
      frameListener(connection.new Frames());
      return connection;
    }
  }

  @Override
  protected void onConnectionError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
      Http2Exception http2Ex) {
    goingAway = true;
    super.onConnectionError(ctx, outbound, cause, http2Ex);
  }
}
