package io.weft.sidecar.proxy;

import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The frame relay's connections to upstream endpoints from one event loop: one HTTP/2 connection
 * per endpoint address, opened on the first call picked to it and shared by every call on this
 * loop, replaced once it goes away. Confined to the event loop's thread, so that a relayed call and
 * both of its connections live on one thread.
 */
final class UpstreamConnections {

  /** Bound of establishing a connection: 10 s. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final EventLoop loop;
  private final Class<? extends Channel> channelType;
  private final Map<InetSocketAddress, UpstreamConnection> byAddress = new HashMap<>();

  UpstreamConnections(EventLoop loop, Class<? extends Channel> channelType) {
    this.loop = loop;
    this.channelType = channelType;
  }

  /**
   * Hands {@code ready} the connection to {@code address} once it is established (at once when it
   * is), or {@code failed} why it could not be; both run on this loop.
   */
  void connect(InetSocketAddress address, Consumer<UpstreamConnection> ready,
      Consumer<Throwable> failed) {
    UpstreamConnection connection = byAddress.get(address);
    if (connection == null || connection.ready().isDone() && !connection.acceptsStreams()) {
      connection = open(address);
    } else if (connection.ready().isSuccess()) {
      ready.accept(connection);
      return;
    }
    connection.ready().addListener((Future<UpstreamConnection> done) -> {
      if (done.isSuccess()) {
        Flusher.current().run(() -> ready.accept(done.getNow()));
      } else {
        Flusher.current().run(() -> failed.accept(done.cause()));
      }
    });
  }

  /** Closes every connection. */
  void closeAll() {
    List.copyOf(byAddress.values()).forEach(connection -> connection.context().close());
    byAddress.clear();
  }

  private UpstreamConnection open(InetSocketAddress address) {
    UpstreamConnection connection = new UpstreamConnection.Builder(address, loop).build();
    Channel channel = new Bootstrap()
        .group(loop)
        .channel(channelType)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
        .handler(connection)
        .connect(address)
        .addListener(connected -> {
          if (!connected.isSuccess()) {
            connection.ready().tryFailure(connected.cause());
          }
        })
        .channel();
    byAddress.put(address, connection);
    channel.closeFuture().addListener(closed -> byAddress.remove(address, connection));
    return connection;
  }
}
