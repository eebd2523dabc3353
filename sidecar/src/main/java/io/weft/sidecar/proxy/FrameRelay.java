package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A proxy as an HTTP/2 frame relay, as nginx's {@code grpc_pass} is: each call's frames (HEADERS,
 * DATA, trailers, RST_STREAM) are relayed to a stream on a connection to its upstream, and back,
 * without grpc-java's call machinery on either side and without copying or parsing the messages.
 * Which upstream is the {@link RelayedCall}'s: the outbound proxy's calls pick an instance of a mesh
 * service, the inbound proxy's go to the local app. Caller connections and upstream connections
 * share the {@link ProxyTransport}'s event loops; a call and both of its connections live on one
 * loop.
 */
final class FrameRelay implements RunningProxy {

  /** Makes the call of a stream a caller opened. */
  @FunctionalInterface
  interface CallFactory {
    RelayedCall newCall(FrameRelay relay, CallerConnection caller, int callerStream);
  }

  private final String name;
  private final CallFactory calls;
  private final ProxyMetrics metrics;
  private final int maxMessageSize;
  private final ProxyTransport transport;
  private final boolean ownsTransport;
  private final KeepAlivePolicy keepAlive;
  private final Map<EventLoop, UpstreamConnections> upstreams = new ConcurrentHashMap<>();
  private final Set<Channel> callers = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private volatile boolean shutdown;
  private Channel server;

  private FrameRelay(ProxyServerConfig config, String name, CallFactory calls,
      ProxyMetrics metrics) {
    this.name = requireNonNull(name, "name");
    this.calls = requireNonNull(calls, "calls");
    this.metrics = requireNonNull(metrics, "metrics");
    this.maxMessageSize = config.maxMessageSize();
    this.ownsTransport = config.transport() == null;
    this.transport = ownsTransport ? ProxyTransport.create(1) : config.transport();
    this.keepAlive = new KeepAlivePolicy(config);
  }

  /**
   * Binds a relay as {@code config} says and starts it; {@code name} ("outbound proxy") names it in
   * the statuses it gives, {@code calls} makes its calls.
   */
  static FrameRelay start(ProxyServerConfig config, String name, CallFactory calls,
      ProxyMetrics metrics) throws IOException {
    FrameRelay relay = new FrameRelay(requireNonNull(config, "config"), name, calls, metrics);
    relay.bind(config.host(), config.port());
    return relay;
  }

  private void bind(String host, int port) throws IOException {
    ChannelFuture bound = new ServerBootstrap()
        .group(transport.group())
        .channel(transport.serverChannelType())
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel channel) {
            accept(channel);
          }
        })
        .bind(new InetSocketAddress(host, port))
        .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      if (ownsTransport) {
        transport.close();
      }
      throw new IOException("cannot listen on " + host + ":" + port + ": " + bound.cause(),
          bound.cause());
    }
    server = bound.channel();
    server.closeFuture().addListener(closed -> checkTerminated());
  }

  private void accept(Channel channel) {
    if (shutdown) {
      channel.close();
      return;
    }
    callers.add(channel);
    channel.closeFuture().addListener(closed -> {
      callers.remove(channel);
      checkTerminated();
    });
    channel.pipeline().addLast(new CallerConnection.Builder(this, keepAlive).build());
  }

  /** The call of stream {@code callerStream}, which {@code caller} just opened. */
  RelayedCall newCall(CallerConnection caller, int callerStream) {
    return calls.newCall(this, caller, callerStream);
  }

  /** What the relay is called in the statuses it gives ("outbound proxy"). */
  String name() {
    return name;
  }

  ProxyMetrics metrics() {
    return metrics;
  }

  int maxMessageSize() {
    return maxMessageSize;
  }

  /** The upstream connections of {@code loop}; used only on that loop. */
  UpstreamConnections upstreams(EventLoop loop) {
    return upstreams.computeIfAbsent(
        loop, l -> new UpstreamConnections(l, transport.channelType()));
  }

  @Override
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /**
   * Stops accepting connections and sends every caller connection a GOAWAY: calls in progress go on,
   * new ones go to a new connection (which finds nobody listening).
   */
  @Override
  public void shutdown() {
    shutdown = true;
    server.close();
    for (Channel caller : callers) {
      caller.close();
    }
  }

  @Override
  public void shutdownNow() {
    shutdown();
    for (Channel caller : callers) {
      CallerConnection connection = caller.pipeline().get(CallerConnection.class);
      if (connection == null) {
        caller.close();
      } else {
        caller.eventLoop().execute(() -> connection.context().close());
      }
    }
  }

  @Override
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    try {
      terminated.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("the relay failed to terminate", e.getCause());
    }
  }

  @Override
  public boolean isTerminated() {
    return terminated.isDone();
  }

  private void checkTerminated() {
    if (!shutdown || server.isOpen() || !callers.isEmpty() || terminated.isDone()) {
      return;
    }
    upstreams.forEach((loop, connections) -> loop.execute(connections::closeAll));
    if (ownsTransport) {
      transport.group().shutdownGracefully(0, 5, TimeUnit.SECONDS);
    }
    terminated.complete(null);
  }
}
