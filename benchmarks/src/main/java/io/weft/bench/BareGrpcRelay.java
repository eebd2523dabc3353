package io.weft.bench;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The least a grpc-java relay can do, as a benchmark baseline: unary calls only, every method to
 * one upstream, no routing, no balancing (pick_first), no retries, no metrics, no flow-control
 * bookkeeping; server and channel on one epoll event loop with direct executors, as the sidecar's
 * proxy. What the sidecar's proxy adds above this is weft's own work; what this adds above nginx
 * is the cost of relaying at grpc-java's call layer.
 *
 * <p>Usage: {@code BareGrpcRelay <upstream port>}; prints {@code bare relay listening on
 * 127.0.0.1:<port>} and serves until killed. Loopback only.
 */
final class BareGrpcRelay implements AutoCloseable {

  private final EventLoopGroup loop;
  private final ManagedChannel upstream;
  private final Server server;

  private BareGrpcRelay(EventLoopGroup loop, ManagedChannel upstream, Server server) {
    this.loop = loop;
    this.upstream = upstream;
    this.server = server;
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    BareGrpcRelay relay = start(Integer.parseInt(args[0]));
    System.out.println("bare relay listening on 127.0.0.1:" + relay.port());
    relay.server.awaitTermination();
  }

  /** A relay to {@code upstreamPort} on loopback, listening on a free loopback port. */
  static BareGrpcRelay start(int upstreamPort) throws IOException {
    EventLoopGroup loop = new EpollEventLoopGroup(1);
    ManagedChannel upstream = NettyChannelBuilder.forAddress("127.0.0.1", upstreamPort)
        .eventLoopGroup(loop)
        .channelType(EpollSocketChannel.class)
        .usePlaintext()
        .flowControlWindow(NettyChannelBuilder.DEFAULT_FLOW_CONTROL_WINDOW)
        .disableRetry()
        .directExecutor()
        .build();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .bossEventLoopGroup(loop)
        .workerEventLoopGroup(loop)
        .channelType(EpollServerSocketChannel.class)
        .directExecutor()
        .fallbackHandlerRegistry(new AnyUnaryMethod((call, headers, request) ->
            relay(upstream, call, headers, request)))
        .build()
        .start();
    return new BareGrpcRelay(loop, upstream, server);
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    upstream.shutdownNow();
    loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
  }

  /** Calls the upstream with the caller's one request and relays what comes back. */
  private static void relay(ManagedChannel upstream, ServerCall<byte[], byte[]> call,
      Metadata headers, byte[] request) {
    ClientCall<byte[], byte[]> out =
        upstream.newCall(call.getMethodDescriptor(), CallOptions.DEFAULT);
    out.start(new ClientCall.Listener<>() {
      @Override
      public void onHeaders(Metadata responseHeaders) {
        call.sendHeaders(responseHeaders);
      }

      @Override
      public void onMessage(byte[] response) {
        call.sendMessage(response);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        call.close(status, trailers);
      }
    }, headers);
    out.request(2);
    out.sendMessage(request);
    out.halfClose();
  }
}
