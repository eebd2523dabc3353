package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import io.grpc.Server;
import io.grpc.ServerCallHandler;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The Netty server of one proxy: accepts every method and hands it to one handler. */
final class ProxyServer implements RunningProxy {

  private final Server server;

  private ProxyServer(Server server) {
    this.server = server;
  }

  /** Binds and starts a server for {@code handler} as {@code config} says. */
  static ProxyServer start(ProxyServerConfig config, ServerCallHandler<byte[], byte[]> handler)
      throws IOException {
    requireNonNull(config, "config");
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
            .fallbackHandlerRegistry(new AnyMethodRegistry(handler))
            .maxInboundMessageSize(config.maxMessageSize())
            .permitKeepAliveTime(config.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
            .permitKeepAliveWithoutCalls(true)
            .keepAliveTime(config.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
            .keepAliveTimeout(config.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS);
    if (config.transport() != null) {
      config.transport().configure(builder);
    }
    if (config.executor() != null) {
      builder.executor(config.executor());
    } else {
      builder.directExecutor();
    }
    return new ProxyServer(builder.build().start());
  }

  @Override
  public int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  @Override
  public void shutdown() {
    server.shutdown();
  }

  @Override
  public void shutdownNow() {
    server.shutdownNow();
  }

  @Override
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return server.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public boolean isTerminated() {
    return server.isTerminated();
  }
}
