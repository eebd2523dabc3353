package io.weft.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.embedded.EmbeddedChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The frame relay's per-batch flushing, and the bookkeeping it runs after a flush. */
class FlusherTest {

  private final Flusher flusher = Flusher.current();
  private final List<String> events = new ArrayList<>();

  @Test
  void afterFlush_outsideABatch_runsAtOnce() {
    flusher.afterFlush(() -> events.add("task"));

    assertThat(events).containsExactly("task");
  }

  @Test
  void afterFlush_inABatch_runsOnceTheBatchsFramesAreFlushed() {
    EmbeddedChannel channel = new EmbeddedChannel();
    UpstreamConnection connection = new UpstreamConnection.Builder(
        new InetSocketAddress("127.0.0.1", 1), channel.eventLoop()).build();
    channel.pipeline().addLast(connection);
    releaseAll(channel);

    flusher.run(() -> {
      connection.writeHeaders(1, new DefaultHttp2Headers().method("POST").scheme("http")
          .path("/weft.Test/Call").authority("test"), true);
      flusher.afterFlush(() -> events.add("task, headers flushed: " + (releaseAll(channel) > 0)));
      events.add("batch, headers flushed: " + (releaseAll(channel) > 0));
    });

    assertThat(events)
        .containsExactly("batch, headers flushed: false", "task, headers flushed: true");
  }

  @Test
  void aFailingTask_doesNotStopTheOthers() {
    flusher.run(() -> {
      flusher.afterFlush(() -> {
        throw new IllegalStateException("a bug");
      });
      flusher.afterFlush(() -> events.add("second"));
    });

    assertThat(events).containsExactly("second");
  }

  /** Releases what the channel has flushed; returns how many buffers that was. */
  private static int releaseAll(EmbeddedChannel channel) {
    int count = 0;
    for (ByteBuf flushed = channel.readOutbound(); flushed != null;
        flushed = channel.readOutbound()) {
      flushed.release();
      count++;
    }
    return count;
  }
}
