package io.weft.sidecar.proxy;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2EventAdapter;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Settings;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Stream;
import java.io.IOException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 connection of the frame relay, caller's or upstream's: writes frames on its streams,
 * flushed by the loop's {@link Flusher} once per batch, and returns flow-control credit for the
 * bytes of a stream once they have been passed on.
 */
abstract class FrameConnection extends Http2ConnectionHandler {

  private static final Logger logger = LoggerFactory.getLogger(FrameConnection.class);

  private ChannelHandlerContext context;
  private boolean written;
  private boolean reading;

  FrameConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
      Http2Settings settings) {
    super(decoder, encoder, settings);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    context = ctx;
    super.handlerAdded(ctx);
  }

  EventLoop eventLoop() {
    return context.channel().eventLoop();
  }

  ChannelHandlerContext context() {
    return context;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (!reading) {
      reading = true;
      Flusher.current().begin();
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    try {
      super.channelReadComplete(ctx);
    } finally {
      if (reading) {
        reading = false;
        Flusher.current().end();
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (reading) {
      reading = false;
      Flusher.current().end();
    }
    super.channelInactive(ctx);
  }

  /**
   * A socket error (such as the peer resetting the connection) ends the connection, which Netty
   * closes; its calls hear of it from {@link #channelInactive}. Logged at DEBUG: a peer going away
   * is not an operator's event.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (cause instanceof IOException) {
      logger.debug("relay connection {} -> {} failed: {}", ctx.channel().localAddress(),
          ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
      return;
    }
    super.exceptionCaught(ctx, cause);
  }

  /** Writes HEADERS on {@code streamId}. */
  ChannelFuture writeHeaders(int streamId, Http2Headers headers, boolean endOfStream) {
    ChannelFuture future = encoder()
        .writeHeaders(context, streamId, headers, 0, endOfStream, context.newPromise());
    Flusher.current().written(this);
    return future;
  }

  /** Writes DATA on {@code streamId}; takes ownership of {@code data}. */
  ChannelFuture writeData(int streamId, ByteBuf data, boolean endOfStream) {
    ChannelFuture future =
        encoder().writeData(context, streamId, data, 0, endOfStream, context.newPromise());
    Flusher.current().written(this);
    return future;
  }

  /** Resets {@code streamId} (one known to be open or about to open) with {@code error}. */
  void writeReset(int streamId, Http2Error error) {
    encoder().writeRstStream(context, streamId, error.code(), context.newPromise());
    Flusher.current().written(this);
  }

  /** Returns {@code bytes} of flow-control credit on {@code streamId} once they are passed on. */
  void consumed(int streamId, int bytes) {
    Http2Stream stream = connection().stream(streamId);
    if (stream == null || bytes == 0 || !context.channel().isActive()) {
      return;
    }
    try {
      if (decoder().flowController().consumeBytes(stream, bytes)) {
        Flusher.current().written(this);
      }
    } catch (Http2Exception e) {
      onError(context, false, e);
    }
  }

  /**
   * Runs a step of one call, for a frame of its stream; if it throws, {@code abort} ends that call
   * alone rather than the connection.
   */
  static void guarded(Consumer<RuntimeException> abort, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      abort.accept(e);
    }
  }

  /** The frame listener of a relay connection: HEADERS with and without priority alike. */
  abstract static class StreamFrames extends Http2EventAdapter {
    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
        int streamDependency, short weight, boolean exclusive, int padding,
        boolean endOfStream) throws Http2Exception {
      onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }
  }

  /** Marks frames written; true when the connection was not already waiting for a flush. */
  boolean markWritten() {
    boolean first = !written;
    written = true;
    return first;
  }

  /** Flushes what was written since the last flush. */
  void flushWritten() {
    if (written) {
      written = false;
      flush(context);
    }
  }
}
