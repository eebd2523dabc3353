package io.weft.bench;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Settings;

/**
 * One HTTP/2 connection of the benchmark's frame relays: writes frames on its streams and flushes
 * them when told to, so that a relay can flush once per read rather than once per frame.
 */
abstract class FrameWriter extends Http2ConnectionHandler {

  private ChannelHandlerContext context;
  private boolean unflushed;

  FrameWriter(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
      Http2Settings settings) {
    super(decoder, encoder, settings);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    context = ctx;
    super.handlerAdded(ctx);
  }

  ByteBufAllocator alloc() {
    return context.alloc();
  }

  void writeHeaders(int streamId, Http2Headers headers, boolean endOfStream) {
    encoder().writeHeaders(context, streamId, headers, 0, endOfStream, context.newPromise());
    unflushed = true;
  }

  void writeData(int streamId, ByteBuf data, boolean endOfStream) {
    encoder().writeData(context, streamId, data, 0, endOfStream, context.newPromise());
    unflushed = true;
  }

  void writeReset(int streamId, long errorCode) {
    encoder().writeRstStream(context, streamId, errorCode, context.newPromise());
    unflushed = true;
  }

  void flushIfWritten() {
    if (unflushed) {
      unflushed = false;
      flush(context);
    }
  }

  /** Builds a {@link FrameWriter}; {@link #build()} is public here. */
  abstract static class Builder<T extends FrameWriter, B extends Builder<T, B>>
      extends AbstractHttp2ConnectionHandlerBuilder<T, B> {
    @Override
    public T build() {
      return super.build();
    }
  }
}
