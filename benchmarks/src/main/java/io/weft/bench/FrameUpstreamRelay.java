package io.weft.bench;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Settings;
import io.grpc.netty.shaded.io.netty.util.collection.IntObjectHashMap;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark baseline that answers one question: would relaying to the upstream as HTTP/2 frames,
 * below grpc-java's client call layer, make a proxy much cheaper? Callers reach a grpc-java server
 * as in {@link BareGrpcRelay}; each unary call then goes to the upstream over one plain Netty
 * HTTP/2 connection (no grpc-java client: HEADERS and one DATA frame out, messages read back from
 * DATA frames, the status from the trailers). No routing, balancing, metadata, flow-control
 * bookkeeping or error handling beyond a failed status: the least such a relay does.
 *
 * <p>Usage: {@code FrameUpstreamRelay <upstream port>}; prints {@code frame relay listening on
 * 127.0.0.1:<port>} and serves until killed. Loopback only.
 */
final class FrameUpstreamRelay implements AutoCloseable {

  private final EventLoopGroup loop;
  private final Server server;

  private FrameUpstreamRelay(EventLoopGroup loop, Server server) {
    this.loop = loop;
    this.server = server;
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    FrameUpstreamRelay relay = start(Integer.parseInt(args[0]));
    System.out.println("frame relay listening on 127.0.0.1:" + relay.port());
    relay.server.awaitTermination();
  }

  /** A relay to {@code upstreamPort} on loopback, listening on a free loopback port. */
  static FrameUpstreamRelay start(int upstreamPort) throws IOException, InterruptedException {
    EventLoopGroup loop = new EpollEventLoopGroup(1);
    UpstreamConnection upstream = new UpstreamConnection.Builder().build();
    new Bootstrap().group(loop).channel(EpollSocketChannel.class)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(io.grpc.netty.shaded.io.netty.channel.Channel channel) {
            channel.pipeline().addLast(upstream);
          }
        })
        .connect("127.0.0.1", upstreamPort).sync();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .bossEventLoopGroup(loop)
        .workerEventLoopGroup(loop)
        .channelType(EpollServerSocketChannel.class)
        .directExecutor()
        .fallbackHandlerRegistry(new AnyUnaryMethod((call, headers, request) ->
            upstream.send(call, request)))
        .build()
        .start();
    return new FrameUpstreamRelay(loop, server);
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
  }

  /**
   * One HTTP/2 connection to the upstream; runs on the event loop the server's calls run on, so
   * {@link #send} and the frame callbacks share one thread.
   */
  private static final class UpstreamConnection extends FrameWriter implements StreamFrames {
    private final IntObjectHashMap<ServerCall<byte[], byte[]>> calls = new IntObjectHashMap<>();
    private final IntObjectHashMap<ByteBuf> partial = new IntObjectHashMap<>();

    UpstreamConnection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
        Http2Settings settings) {
      super(decoder, encoder, settings);
    }

    void send(ServerCall<byte[], byte[]> call, byte[] request) {
      String path = "/" + call.getMethodDescriptor().getFullMethodName();
      String authority = call.getAuthority();
      int id = connection().local().incrementAndGetNextStreamId();
      calls.put(id, call);
      Http2Headers headers = new DefaultHttp2Headers().method("POST").scheme("http").path(path)
          .authority(authority == null ? "upstream" : authority)
          .set("content-type", "application/grpc").set("te", "trailers");
      writeHeaders(id, headers, false);
      writeData(id, alloc().buffer(5 + request.length)
          .writeByte(0).writeInt(request.length).writeBytes(request), true);
      flushIfWritten();
    }

    @Override
    public void data(int id, ByteBuf data, boolean endOfStream) {
      ByteBuf messages = partial.get(id);
      if (messages == null) {
        messages = alloc().buffer();
        partial.put(id, messages);
      }
      messages.writeBytes(data);
      ServerCall<byte[], byte[]> call = calls.get(id);
      while (messages.readableBytes() >= 5) {
        int length = messages.getInt(messages.readerIndex() + 1);
        if (messages.readableBytes() < 5 + length) {
          break;
        }
        messages.skipBytes(5);
        byte[] message = new byte[length];
        messages.readBytes(message);
        call.sendMessage(message);
      }
    }

    @Override
    public void headers(int id, Http2Headers headers, boolean endOfStream) {
      ServerCall<byte[], byte[]> call = calls.get(id);
      if (!endOfStream) {
        call.sendHeaders(new Metadata());
        return;
      }
      end(id, Status.fromCodeValue(statusCode(headers)));
    }

    @Override
    public void reset(int id, long errorCode) {
      end(id, Status.UNAVAILABLE.withDescription(
          "upstream reset the stream: " + Http2Error.valueOf(errorCode)));
    }

    private void end(int id, Status status) {
      ServerCall<byte[], byte[]> call = calls.remove(id);
      ByteBuf messages = partial.remove(id);
      if (messages != null) {
        messages.release();
      }
      if (call != null) {
        call.close(status, new Metadata());
      }
    }

    private static int statusCode(Http2Headers trailers) {
      CharSequence status = trailers.get("grpc-status");
      return status == null ? Status.Code.UNKNOWN.value() : Integer.parseInt(status.toString());
    }

    /** Builds the connection handler with its frame listener. */
    static final class Builder extends FrameWriter.Builder<UpstreamConnection, Builder> {
      Builder() {
        server(false);
      }

      @Override
      protected UpstreamConnection build(Http2ConnectionDecoder decoder,
          Http2ConnectionEncoder encoder, Http2Settings settings) {
        UpstreamConnection connection = new UpstreamConnection(decoder, encoder, settings);
        frameListener(StreamFrames.listener(connection));
        return connection;
      }
    }
  }
}
