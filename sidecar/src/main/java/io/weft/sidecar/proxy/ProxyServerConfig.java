package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Where a proxy listens and the limits of its server: address, message size, keep-alive. Build with
 * {@link #builder()}; every setting has a default.
 */
public final class ProxyServerConfig {

  /** Default message size limit, both directions: 4 MiB. */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;

  private final String host;
  private final int port;
  private final int maxMessageSize;
  private final Duration permitKeepAliveTime;
  private final Duration keepAliveTime;
  private final Duration keepAliveTimeout;
  private final Executor executor;
  private final ProxyTransport transport;

  private ProxyServerConfig(Builder builder) {
    this.host = builder.host;
    this.port = builder.port;
    this.maxMessageSize = builder.maxMessageSize;
    this.permitKeepAliveTime = builder.permitKeepAliveTime;
    this.keepAliveTime = builder.keepAliveTime;
    this.keepAliveTimeout = builder.keepAliveTimeout;
    this.executor = builder.executor;
    this.transport = builder.transport;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The address to bind. */
  public String host() {
    return host;
  }

  /** The port to bind; 0 picks a free one. */
  public int port() {
    return port;
  }

  /** Largest message accepted in either direction; larger gets RESOURCE_EXHAUSTED. */
  public int maxMessageSize() {
    return maxMessageSize;
  }

  /** Most frequent keep-alive ping a client may send. */
  public Duration permitKeepAliveTime() {
    return permitKeepAliveTime;
  }

  /** Idle time after which the server pings a client. */
  public Duration keepAliveTime() {
    return keepAliveTime;
  }

  /** How long the server waits for a ping's answer before closing the connection. */
  public Duration keepAliveTimeout() {
    return keepAliveTimeout;
  }

  /** Event loops shared with the forwarding channels, or null for grpc-java's own. */
  ProxyTransport transport() {
    return transport;
  }

  /** Executor of the server's call callbacks, or null for the transport threads. */
  Executor executor() {
    return executor;
  }

  /** Builds a {@link ProxyServerConfig}. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private Duration permitKeepAliveTime = Duration.ofSeconds(10);
    private Duration keepAliveTime = Duration.ofSeconds(60);
    private Duration keepAliveTimeout = Duration.ofSeconds(20);
    private Executor executor;
    private ProxyTransport transport;

    private Builder() {}

    /** Address to bind (default {@code 127.0.0.1}; {@code 0.0.0.0} for every interface). */
    public Builder host(String host) {
      this.host = requireNonNull(host, "host");
      return this;
    }

    /** Port to bind, 0..65535 (default 0: pick a free one). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
      }
      this.port = port;
      return this;
    }

    /** Message size limit in bytes, at least 1 (default 4 MiB). */
    public Builder maxMessageSize(int maxMessageSize) {
      if (maxMessageSize < 1) {
        throw new IllegalArgumentException(
            "maxMessageSize: " + maxMessageSize + " (expected: >= 1)");
      }
      this.maxMessageSize = maxMessageSize;
      return this;
    }

    /** Most frequent client keep-alive ping allowed (default 10 s). */
    public Builder permitKeepAliveTime(Duration permitKeepAliveTime) {
      this.permitKeepAliveTime = positive("permitKeepAliveTime", permitKeepAliveTime);
      return this;
    }

    /** Server keep-alive ping interval (default 60 s). */
    public Builder keepAliveTime(Duration keepAliveTime) {
      this.keepAliveTime = positive("keepAliveTime", keepAliveTime);
      return this;
    }

    /** Server keep-alive ping timeout (default 20 s). */
    public Builder keepAliveTimeout(Duration keepAliveTimeout) {
      this.keepAliveTimeout = positive("keepAliveTimeout", keepAliveTimeout);
      return this;
    }

    /**
     * Executor for the server's call callbacks. By default they run on the transport threads, which
     * suits the proxy: its callbacks never block.
     */
    public Builder executor(Executor executor) {
      this.executor = requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Event loops the server shares with the channels it forwards to; by default grpc-java's own
     * shared ones.
     */
    public Builder transport(ProxyTransport transport) {
      this.transport = requireNonNull(transport, "transport");
      return this;
    }

    public ProxyServerConfig build() {
      return new ProxyServerConfig(this);
    }

    private static Duration positive(String name, Duration value) {
      requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
      return value;
    }
  }
}
