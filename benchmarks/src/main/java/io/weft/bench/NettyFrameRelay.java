package io.weft.bench;

import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Settings;
import io.grpc.netty.shaded.io.netty.util.collection.IntObjectHashMap;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark baseline with no grpc-java at all: callers' HTTP/2 streams are relayed frame by
 * frame (HEADERS, DATA, trailers, RST_STREAM) to streams on one Netty HTTP/2 connection to the
 * upstream and back, as nginx's {@code grpc_pass} does, on one epoll event loop. Writes are flushed
 * once per read, not per frame. No routing, balancing, metrics, header rewriting or flow-control
 * coupling between the two sides (each side returns its window as soon as it has passed the bytes
 * on): the least a frame relay in a JVM does.
 *
 * <p>Usage: {@code NettyFrameRelay <upstream port>}; prints {@code netty relay listening on
 * 127.0.0.1:<port>} and serves until killed. Loopback only.
 */
final class NettyFrameRelay implements AutoCloseable {

  private final EventLoopGroup loop;
  private final Channel server;

  private NettyFrameRelay(EventLoopGroup loop, Channel server) {
    this.loop = loop;
    this.server = server;
  }

  public static void main(String[] args) throws InterruptedException {
    NettyFrameRelay relay = start(Integer.parseInt(args[0]));
    System.out.println("netty relay listening on 127.0.0.1:" + relay.port());
    relay.server.closeFuture().sync();
  }

  /** A relay to {@code upstreamPort} on loopback, listening on a free loopback port. */
  static NettyFrameRelay start(int upstreamPort) throws InterruptedException {
    EventLoopGroup loop = new EpollEventLoopGroup(1);
    Upstream upstream = new Upstream.Builder().build();
    new Bootstrap().group(loop).channel(EpollSocketChannel.class)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            channel.pipeline().addLast(upstream);
          }
        })
        .connect("127.0.0.1", upstreamPort).sync();
    Channel server = new ServerBootstrap().group(loop).channel(EpollServerSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            channel.pipeline().addLast(new Caller.Builder(upstream).build());
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
    return new NettyFrameRelay(loop, server);
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close();
    loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
  }

  /** The connection to the upstream: its streams, each tied to a caller's stream. */
  private static final class Upstream extends FrameWriter implements StreamFrames {
    private final IntObjectHashMap<Caller> callers = new IntObjectHashMap<>();
    private final IntObjectHashMap<Integer> callerStreams = new IntObjectHashMap<>();
    private final Set<Caller> written = new LinkedHashSet<>();

    Upstream(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
        Http2Settings settings) {
      super(decoder, encoder, settings);
    }

    int open(Caller caller, int callerStream, Http2Headers headers, boolean endOfStream) {
      int id = connection().local().incrementAndGetNextStreamId();
      callers.put(id, caller);
      callerStreams.put(id, Integer.valueOf(callerStream));
      writeHeaders(id, headers, endOfStream);
      return id;
    }

    @Override
    public void data(int streamId, ByteBuf data, boolean endOfStream) {
      toCaller(streamId, endOfStream,
          (caller, callerStream) -> caller.writeData(callerStream, data.retain(), endOfStream));
    }

    @Override
    public void headers(int streamId, Http2Headers headers, boolean endOfStream) {
      toCaller(streamId, endOfStream,
          (caller, callerStream) -> caller.writeHeaders(callerStream, headers, endOfStream));
    }

    @Override
    public void reset(int streamId, long errorCode) {
      toCaller(streamId, true,
          (caller, callerStream) -> caller.writeReset(callerStream, errorCode));
    }

    private void toCaller(int id, boolean endOfStream, Relay relay) {
      Caller caller = callers.get(id);
      if (caller == null) {
        return;
      }
      relay.to(caller, callerStreams.get(id));
      written.add(caller);
      if (endOfStream) {
        callers.remove(id);
        callerStreams.remove(id);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
      for (Caller caller : written) {
        caller.flushIfWritten();
      }
      written.clear();
      super.channelReadComplete(ctx);
    }

    /** What to write on the caller's side. */
    private interface Relay {
      void to(Caller caller, int callerStream);
    }

    static final class Builder extends FrameWriter.Builder<Upstream, Builder> {
      Builder() {
        server(false);
      }

      @Override
      protected Upstream build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
          Http2Settings settings) {
        Upstream upstream = new Upstream(decoder, encoder, settings);
        frameListener(StreamFrames.listener(upstream));
        return upstream;
      }
    }
  }

  /** One caller's connection: its streams, each relayed to a stream of the upstream. */
  private static final class Caller extends FrameWriter implements StreamFrames {
    private final Upstream upstream;
    private final IntObjectHashMap<Integer> upstreamStreams = new IntObjectHashMap<>();

    Caller(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
        Http2Settings settings, Upstream upstream) {
      super(decoder, encoder, settings);
      this.upstream = upstream;
    }

    @Override
    public void headers(int streamId, Http2Headers headers, boolean endOfStream) {
      Integer upstreamStream = upstreamStreams.get(streamId);
      if (upstreamStream == null) {
        int opened = upstream.open(this, streamId, headers, endOfStream);
        upstreamStreams.put(streamId, Integer.valueOf(opened));
      } else {
        upstream.writeHeaders(upstreamStream, headers, endOfStream);
      }
      if (endOfStream) {
        upstreamStreams.remove(streamId);
      }
    }

    @Override
    public void data(int streamId, ByteBuf data, boolean endOfStream) {
      Integer upstreamStream = endOfStream
          ? upstreamStreams.remove(streamId) : upstreamStreams.get(streamId);
      if (upstreamStream != null) {
        upstream.writeData(upstreamStream, data.retain(), endOfStream);
      }
    }

    @Override
    public void reset(int streamId, long errorCode) {
      Integer upstreamStream = upstreamStreams.remove(streamId);
      if (upstreamStream != null) {
        upstream.writeReset(upstreamStream, Http2Error.CANCEL.code());
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
      upstream.flushIfWritten();
      super.channelReadComplete(ctx);
    }

    static final class Builder extends FrameWriter.Builder<Caller, Builder> {
      private final Upstream upstream;

      Builder(Upstream upstream) {
        this.upstream = upstream;
        server(true);
      }

      @Override
      protected Caller build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
          Http2Settings settings) {
        Caller caller = new Caller(decoder, encoder, settings, upstream);
        frameListener(StreamFrames.listener(caller));
        return caller;
      }
    }
  }
}
