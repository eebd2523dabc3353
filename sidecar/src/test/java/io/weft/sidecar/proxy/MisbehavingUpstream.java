package io.weft.sidecar.proxy;

import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2EventAdapter;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/2 server on loopback that answers every stream wrongly, as the test chooses: {@link
 * Misbehaviour#REFUSE} resets it with REFUSED_STREAM, as a server at its stream limit or shutting
 * down does (the stream was not processed, so a client may send it elsewhere); {@link
 * Misbehaviour#DATA_BEFORE_HEADERS} sends a DATA frame before any response headers, which HTTP/2
 * forbids. Counts the streams it saw and the resets it received.
 */
final class MisbehavingUpstream implements AutoCloseable {

  /** What the server does with each stream. */
  enum Misbehaviour { REFUSE, DATA_BEFORE_HEADERS }

  final AtomicInteger streamsSeen = new AtomicInteger();
  final AtomicInteger resetsReceived = new AtomicInteger();
  private final EventLoopGroup loop = new NioEventLoopGroup(1);
  private final Channel server;

  MisbehavingUpstream() throws InterruptedException {
    this(Misbehaviour.REFUSE);
  }

  MisbehavingUpstream(Misbehaviour misbehaviour) throws InterruptedException {
    server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            Http2ConnectionHandler[] handler = new Http2ConnectionHandler[1];
            handler[0] = new Http2ConnectionHandlerBuilder().server(true)
                .frameListener(new Http2EventAdapter() {
                  @Override
                  public void onHeadersRead(ChannelHandlerContext ctx, int streamId,
                      Http2Headers headers, int padding, boolean endOfStream) {
                    streamsSeen.incrementAndGet();
                    if (misbehaviour == Misbehaviour.REFUSE) {
                      handler[0].encoder().writeRstStream(ctx, streamId,
                          Http2Error.REFUSED_STREAM.code(), ctx.newPromise());
                    } else {
                      handler[0].encoder().writeData(ctx, streamId,
                          Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 0}), 0, false,
                          ctx.newPromise());
                    }
                    ctx.flush();
                  }

                  @Override
                  public void onHeadersRead(ChannelHandlerContext ctx, int streamId,
                      Http2Headers headers, int streamDependency, short weight,
                      boolean exclusive, int padding, boolean endOfStream) {
                    onHeadersRead(ctx, streamId, headers, padding, endOfStream);
                  }

                  @Override
                  public void onRstStreamRead(ChannelHandlerContext ctx, int streamId,
                      long errorCode) {
                    resetsReceived.incrementAndGet();
                  }

                  @Override
                  public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data,
                      int padding, boolean endOfStream) {
                    return data.readableBytes() + padding;
                  }
                })
                .build();
            channel.pipeline().addLast(handler[0]);
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    server.close();
    loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
