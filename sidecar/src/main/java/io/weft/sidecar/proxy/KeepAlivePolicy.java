package io.weft.sidecar.proxy;

import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive of the frame relay's app connections, as grpc-java's server does it: a connection
 * with nothing read for the keep-alive time is pinged and closed if nothing arrives within the
 * keep-alive timeout; an app that pings more often than the permitted interval gets two strikes,
 * then a GOAWAY {@code ENHANCE_YOUR_CALM} with {@code too_many_pings}. Headers or data reaching
 * the app's connection clear the strikes (a client may ping to measure the bandwidth after each
 * data it gets): when they are written to it, which for DATA held for the app's flow-control window
 * is when the app opens the window, not when the relay asked for the write.
 */
final class KeepAlivePolicy {

  /** Pings tolerated sooner than the permitted interval before the connection is closed. */
  static final int MAX_PING_STRIKES = 2;

  private final long keepAliveNanos;
  private final long timeoutNanos;
  private final long permitNanos;

  KeepAlivePolicy(ProxyServerConfig config) {
    this.keepAliveNanos = config.keepAliveTime().toNanos();
    this.timeoutNanos = config.keepAliveTimeout().toNanos();
    this.permitNanos = config.permitKeepAliveTime().toNanos();
  }

  /** The keep-alive state of one connection; used on its event loop only. */
  final class Connection {
    private final FrameConnection connection;
    private boolean readSinceCheck;
    private long lastPingNanos = System.nanoTime() - permitNanos;
    private int strikes;
    private ScheduledFuture<?> timer;

    Connection(FrameConnection connection) {
      this.connection = connection;
    }

    /** Starts watching; called once the connection is active. */
    void start() {
      schedule(this::check, keepAliveNanos);
    }

    /** Something arrived on the connection. */
    void read() {
      readSinceCheck = true;
    }

    /** Headers or data were sent to the app. */
    void sent() {
      strikes = 0;
    }

    /** The app pinged; closes the connection when it has pinged too often. */
    void pinged() {
      long now = System.nanoTime();
      if (now - lastPingNanos < permitNanos && ++strikes > MAX_PING_STRIKES) {
        connection.goAway(connection.context(),
            connection.connection().remote().lastStreamCreated(),
            Http2Error.ENHANCE_YOUR_CALM.code(),
            Unpooled.copiedBuffer("too_many_pings", StandardCharsets.US_ASCII),
            connection.context().newPromise());
        connection.context().flush();
        connection.context().close();
        return;
      }
      lastPingNanos = now;
    }

    /** Stops the timers; called when the connection closes. */
    void stop() {
      if (timer != null) {
        timer.cancel(false);
      }
    }

    private void check() {
      if (readSinceCheck) {
        readSinceCheck = false;
        schedule(this::check, keepAliveNanos);
        return;
      }
      connection.encoder().writePing(connection.context(), false, System.nanoTime(),
          connection.context().newPromise());
      connection.context().flush();
      schedule(this::awaitAnswer, timeoutNanos);
    }

    private void awaitAnswer() {
      if (readSinceCheck) {
        readSinceCheck = false;
        schedule(this::check, keepAliveNanos);
      } else {
        connection.context().close();
      }
    }

    private void schedule(Runnable task, long delayNanos) {
      timer = connection.context().executor().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }
  }
}
