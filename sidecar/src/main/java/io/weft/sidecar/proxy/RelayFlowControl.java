package io.weft.sidecar.proxy;

import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Connection;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Settings;

/**
 * The frame relay's HTTP/2 flow-control windows, the same on both legs: 1 MiB per stream (as the
 * sidecar's grpc-java channels) and 8 MiB per connection, so that one stalled stream cannot hold
 * back the others. A stream's bytes are credited back only once passed on, so the relay holds at
 * most one stream window per stream and direction, whatever the speed of either side. Streams
 * share the peer's connection window evenly ({@link RelayRemoteFlowController}).
 */
final class RelayFlowControl {

  /** Flow-control window of a stream: 1 MiB. */
  static final int STREAM_WINDOW = 1024 * 1024;

  /** Flow-control window of a connection: 8 MiB. */
  static final int CONNECTION_WINDOW = 8 * STREAM_WINDOW;

  /** Largest header list accepted: 8 KiB, as grpc-java's default. */
  static final int MAX_HEADER_LIST_SIZE = 8 * 1024;

  private RelayFlowControl() {}

  /** The SETTINGS the relay sends on a connection. */
  static Http2Settings settings(boolean server) {
    Http2Settings settings = new Http2Settings()
        .initialWindowSize(STREAM_WINDOW)
        .maxHeaderListSize(MAX_HEADER_LIST_SIZE);
    if (!server) {
      settings.pushEnabled(false);
    }
    return settings;
  }

  /** A new HTTP/2 connection, server's or client's, whose streams share the window evenly. */
  static Http2Connection connection(boolean server) {
    DefaultHttp2Connection connection = new DefaultHttp2Connection(server);
    connection.remote().flowController(new RelayRemoteFlowController(connection));
    return connection;
  }

  /**
   * Runs {@code listener} each time {@code encoder} writes a frame it held for the peer's
   * flow-control window; the encoder is one of a {@link #connection}.
   */
  static void onHeldFrameWritten(Http2ConnectionEncoder encoder, Runnable listener) {
    ((RelayRemoteFlowController) encoder.flowController()).onFrameWritten(listener);
  }

  /** Grows a new connection's window from HTTP/2's 64 KiB to {@link #CONNECTION_WINDOW}. */
  static void widenConnectionWindow(FrameConnection connection) {
    try {
      connection.decoder().flowController().incrementWindowSize(
          connection.connection().connectionStream(),
          CONNECTION_WINDOW - connection.decoder().flowController().windowSize(
              connection.connection().connectionStream()));
      Flusher.current().written(connection);
    } catch (Http2Exception e) {
      throw new IllegalStateException("cannot widen the connection window", e);
    }
  }
}
