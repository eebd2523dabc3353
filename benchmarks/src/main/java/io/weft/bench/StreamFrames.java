package io.weft.bench;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2EventAdapter;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameListener;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;

/**
 * The frames of an HTTP/2 connection's streams that the benchmark's frame relays act on; every
 * other frame is left to Netty. The data's flow-control window is returned as soon as the frame
 * has been handled.
 */
interface StreamFrames {

  /** A DATA frame; {@code data} is released by Netty after this returns. */
  void data(int streamId, ByteBuf data, boolean endOfStream);

  /** A HEADERS frame (request or response headers, or trailers). */
  void headers(int streamId, Http2Headers headers, boolean endOfStream);

  /** A RST_STREAM frame. */
  void reset(int streamId, long errorCode);

  /** A Netty frame listener that hands these frames to {@code target}. */
  static Http2FrameListener listener(StreamFrames target) {
    return new Http2EventAdapter() {
      @Override
      public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
          boolean endOfStream) {
        int consumed = data.readableBytes() + padding;
        target.data(streamId, data, endOfStream);
        return consumed;
      }

      @Override
      public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
          int padding, boolean endOfStream) {
        target.headers(streamId, headers, endOfStream);
      }

      @Override
      public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
          int streamDependency, short weight, boolean exclusive, int padding,
          boolean endOfStream) {
        target.headers(streamId, headers, endOfStream);
      }

      @Override
      public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        target.reset(streamId, errorCode);
      }
    };
  }
}
