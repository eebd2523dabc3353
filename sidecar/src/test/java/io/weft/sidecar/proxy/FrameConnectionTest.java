package io.weft.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.netty.shaded.io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** How a relay connection takes errors that reach its handler. */
class FrameConnectionTest {

  private final EmbeddedChannel channel = new EmbeddedChannel();

  private void addRelayConnection() {
    channel.pipeline().addLast(new UpstreamConnection.Builder(
        new InetSocketAddress("127.0.0.1", 1), channel.eventLoop()).build());
  }

  @Test
  void socketError_closesTheConnection_withoutReachingTheEndOfThePipeline() {
    addRelayConnection();

    channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

    assertThat(channel.isOpen()).isFalse();
    channel.checkException();
  }

  @Test
  void otherErrors_stillReachTheEndOfThePipeline() {
    addRelayConnection();

    channel.pipeline().fireExceptionCaught(new IllegalStateException("a bug"));

    assertThatThrownBy(channel::checkException).isInstanceOf(IllegalStateException.class);
  }
}
