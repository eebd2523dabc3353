package io.weft.sidecar.proxy;

import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Connection;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Stream;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.UniformStreamByteDistributor;

/**
 * The frame relay's flow control of what it sends: streams share the peer's connection window
 * evenly (gRPC sends no HTTP/2 priorities, so Netty's default weighted-fair priority tree would only
 * cost time on every stream and frame), and a listener, when set, hears each time a frame held for
 * the peer's window (DATA, or HEADERS queued behind DATA) is written to the connection: the moment
 * the peer can first see it, which may be long after the relay asked for the write. Confined to
 * the connection's event loop.
 */
final class RelayRemoteFlowController extends DefaultHttp2RemoteFlowController {

  private Runnable frameWritten;

  RelayRemoteFlowController(Http2Connection connection) {
    super(connection, new UniformStreamByteDistributor(connection));
  }

  /** Runs {@code listener} each time a held frame is written to the connection. */
  void onFrameWritten(Runnable listener) {
    frameWritten = listener;
  }

  @Override
  public void addFlowControlled(Http2Stream stream, FlowControlled frame) {
    super.addFlowControlled(stream, frameWritten == null ? frame : new Observed(frame));
  }

  /** A held frame whose writes are told to the listener. */
  private final class Observed implements FlowControlled {
    private final FlowControlled frame;

    Observed(FlowControlled frame) {
      this.frame = frame;
    }

    @Override
    public int size() {
      return frame.size();
    }

    @Override
    public void error(ChannelHandlerContext ctx, Throwable cause) {
      frame.error(ctx, cause);
    }

    @Override
    public void writeComplete() {
      frame.writeComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, int allowedBytes) {
      frameWritten.run();
      frame.write(ctx, allowedBytes);
    }

    @Override
    public boolean merge(ChannelHandlerContext ctx, FlowControlled next) {
      return frame.merge(ctx, next instanceof Observed observed ? observed.frame : next);
    }
  }
}
