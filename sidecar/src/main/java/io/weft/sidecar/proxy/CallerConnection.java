package io.weft.sidecar.proxy;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Settings;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Stream;
import io.grpc.netty.shaded.io.netty.util.collection.IntObjectHashMap;
import io.grpc.netty.shaded.io.netty.util.collection.IntObjectMap;
import java.util.ArrayList;
import java.util.List;

/**
 * One caller's connection to a frame relay: each stream the caller opens is a {@link RelayedCall}.
 * The bytes of a DATA frame are credited back to the caller only once the call has passed them
 * upstream, so a slow upstream holds the caller back instead of making the relay buffer.
 */
final class CallerConnection extends FrameConnection {

  private final FrameRelay relay;
  private final KeepAlivePolicy.Connection keepAlive;
  private final IntObjectMap<RelayedCall> calls = new IntObjectHashMap<>();
  private int lastStreamOpened;
  private UpstreamConnections upstreams;

  private CallerConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
      Http2Settings settings, FrameRelay relay, KeepAlivePolicy keepAlive) {
    super(decoder, encoder, settings);
    this.relay = relay;
    this.keepAlive = keepAlive.new Connection(this);
    RelayFlowControl.onHeldFrameWritten(encoder, this.keepAlive::sent);
  }

  /** The connections to upstreams of this connection's event loop, where its calls go. */
  UpstreamConnections upstreams() {
    if (upstreams == null) {
      upstreams = relay.upstreams(eventLoop());
    }
    return upstreams;
  }

  /** Forgets the call of stream {@code id}: it has ended. */
  void forget(int id) {
    calls.remove(id);
  }

  /**
   * Ends the response of stream {@code id} with {@code trailers}; once they are written, asks the
   * app to stop sending if it has not finished its request (RST_STREAM NO_ERROR, as HTTP/2 allows
   * after a complete response).
   */
  void endStream(int id, Http2Headers trailers) {
    boolean requestOpen = requestOpen(id);
    ChannelFuture written = writeHeaders(id, trailers, true);
    if (requestOpen) {
      written.addListener(done -> stopReadingAfterEnd(id));
    }
  }

  /** Whether the app may still send on stream {@code id}: it has not ended its request. */
  boolean requestOpen(int id) {
    Http2Stream stream = connection().stream(id);
    return stream != null && stream.state() == Http2Stream.State.OPEN;
  }

  /** After the response of stream {@code id} ended: stops the app's request if it goes on. */
  void stopReadingAfterEnd(int id) {
    Http2Stream stream = connection().stream(id);
    if (stream != null && stream.state() == Http2Stream.State.HALF_CLOSED_LOCAL) {
      writeReset(id, Http2Error.NO_ERROR);
    }
  }

  @Override
  ChannelFuture writeHeaders(int streamId, Http2Headers headers, boolean endOfStream) {
    keepAlive.sent();
    return super.writeHeaders(streamId, headers, endOfStream);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    super.channelActive(ctx);
    RelayFlowControl.widenConnectionWindow(this);
    keepAlive.start();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    keepAlive.read();
    super.channelRead(ctx, msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    keepAlive.stop();
    List<RelayedCall> gone = new ArrayList<>(calls.values());
    Flusher.current().run(
        () -> gone.forEach(call -> call.callerGone("the caller's connection closed")));
    super.channelInactive(ctx);
  }

  /** Hands the app's frames to its calls. */
  private final class Frames extends StreamFrames {
    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
        int padding, boolean endOfStream) {
      if (streamId > lastStreamOpened) {
        lastStreamOpened = streamId;
        RelayedCall call = relay.newCall(CallerConnection.this, streamId);
        calls.put(streamId, call);
        guarded(call::abort, () -> call.start(headers, endOfStream));
        return;
      }
      RelayedCall call = calls.get(streamId);
      if (call != null && endOfStream) {
        guarded(call::abort, call::callerTrailers);
      }
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
        boolean endOfStream) {
      RelayedCall call = calls.get(streamId);
      if (call == null) {
        return data.readableBytes() + padding;
      }
      ByteBuf retained = data.retain();
      guarded(call::abort, () -> call.callerData(retained, endOfStream));
      return padding;
    }

    @Override
    public void onPingRead(ChannelHandlerContext ctx, long data) {
      keepAlive.pinged();
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
      RelayedCall call = calls.get(streamId);
      if (call != null) {
        guarded(call::abort, () -> call.callerGone(
            "the caller cancelled the call (HTTP/2 error " + errorCode + ")"));
      }
    }
  }

  /** Builds the handler of a new app connection. */
  static final class Builder
      extends AbstractHttp2ConnectionHandlerBuilder<CallerConnection, Builder> {
    private final FrameRelay relay;
    private final KeepAlivePolicy keepAlive;

    Builder(FrameRelay relay, KeepAlivePolicy keepAlive) {
      this.relay = relay;
      this.keepAlive = keepAlive;
      connection(RelayFlowControl.connection(true));
      initialSettings(RelayFlowControl.settings(true));
      gracefulShutdownTimeoutMillis(-1);
    }

    @Override
    protected boolean isServer() {
      return true;
    }

    @Override
    public CallerConnection build() {
      return super.build();
    }

    @Override
    protected CallerConnection build(Http2ConnectionDecoder decoder,
        Http2ConnectionEncoder encoder, Http2Settings settings) {
      CallerConnection connection =
          new CallerConnection(decoder, encoder, settings, relay, keepAlive);
      frameListener(connection.new Frames());
      return connection;
    }
  }
}
