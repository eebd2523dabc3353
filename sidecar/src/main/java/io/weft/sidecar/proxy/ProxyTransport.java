package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The event loops the sidecar's proxies run on: one group shared by the proxies' servers and the
 * channels they forward to (native epoll where available, NIO elsewhere).
 *
 * <p>Sharing is the point. A call arrives on one connection and leaves on another; when both
 * connections live on the same event loop, forwarding a message is a method call on that thread,
 * not a hand-off that wakes another one, which is most of a proxy's added latency at moderate
 * load. With one thread (the default) every connection shares it, as an nginx worker does; more
 * threads add throughput for a busy sidecar at the price of some hand-offs.
 */
public final class ProxyTransport implements AutoCloseable {

  private final EventLoopGroup group;
  private final Class<? extends ServerChannel> serverChannelType;
  private final Class<? extends Channel> channelType;

  private ProxyTransport(EventLoopGroup group, Class<? extends ServerChannel> serverChannelType,
      Class<? extends Channel> channelType) {
    this.group = group;
    this.serverChannelType = serverChannelType;
    this.channelType = channelType;
  }

  /** Event loops with {@code threads} threads (1..64). */
  public static ProxyTransport create(int threads) {
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: 1..64)");
    }
    DefaultThreadFactory factory = new DefaultThreadFactory("weft-proxy-io", true);
    if (Epoll.isAvailable()) {
      return new ProxyTransport(new EpollEventLoopGroup(threads, factory),
          EpollServerSocketChannel.class, EpollSocketChannel.class);
    }
    return new ProxyTransport(new NioEventLoopGroup(threads, factory),
        NioServerSocketChannel.class, NioSocketChannel.class);
  }

  /** Puts a proxy server's accepting and connections on these event loops. */
  public NettyServerBuilder configure(NettyServerBuilder builder) {
    return requireNonNull(builder, "builder")
        .bossEventLoopGroup(group)
        .workerEventLoopGroup(group)
        .channelType(serverChannelType);
  }

  /**
   * A plaintext channel builder for {@code target} whose connections use these event loops.
   *
   * <p>Its HTTP/2 flow-control window is a fixed 1 MiB per stream rather than grpc-java's
   * auto-tuning, which pings the peer after data arrives to estimate the bandwidth-delay product:
   * one more frame each way on most calls of a proxy that handles one call at a time, and about
   * 10 % of its CPU per call. Between a sidecar and its neighbours 1 MiB is far above the
   * bandwidth-delay product (1 MiB every 0.5 ms round trip is 2 GB/s).
   */
  public NettyChannelBuilder channelBuilder(String target) {
    return NettyChannelBuilder.forTarget(requireNonNull(target, "target"))
        .eventLoopGroup(group)
        .channelType(channelType)
        .usePlaintext()
        .flowControlWindow(NettyChannelBuilder.DEFAULT_FLOW_CONTROL_WINDOW);
  }

  /** The event loops. */
  EventLoopGroup group() {
    return group;
  }

  /** The type of a server's listening channel on these loops. */
  Class<? extends ServerChannel> serverChannelType() {
    return serverChannelType;
  }

  /** The type of a connection's channel on these loops. */
  Class<? extends Channel> channelType() {
    return channelType;
  }

  /** Stops the event loops once every server and channel using them has stopped. */
  @Override
  public void close() {
    group.shutdownGracefully(0, Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(Duration.ofSeconds(10).toMillis());
  }
}
