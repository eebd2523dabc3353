package io.weft.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.embedded.EmbeddedChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2CodecUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameTypes;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the frame relay's connection to an upstream puts on the wire. */
class UpstreamConnectionTest {

  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final UpstreamConnection connection = new UpstreamConnection.Builder(
      new InetSocketAddress("127.0.0.1", 1), channel.eventLoop()).build();

  @AfterEach
  void closeChannel() {
    channel.finishAndReleaseAll();
  }

  @Test
  void grpcTimeout_isNeverIndexed_whileHeadersThatRepeatAreIndexed() {
    channel.pipeline().addLast(connection);

    List<List<String>> blocks = headerBlocks(sendRequests(1, 3));

    assertThat(blocks).hasSize(2);
    assertThat(blocks.get(0)).containsOnlyOnce("never indexed").contains("incremental indexing");
    assertThat(blocks.get(1)).containsOnly("indexed", "never indexed")
        .containsOnlyOnce("never indexed");
  }

  /** Sends the same request on each stream; returns every byte the connection wrote. */
  private ByteBuf sendRequests(int... streams) {
    for (int stream : streams) {
      Flusher.current().run(() -> connection.writeHeaders(stream, new DefaultHttp2Headers()
          .method("POST").scheme("http").path("/weft.Test/Call").authority("test")
          .add("content-type", "application/grpc").add("te", "trailers")
          .add("x-app", "value").add(RelayHeaders.GRPC_TIMEOUT, "1S"), true));
    }
    ByteBuf written = Unpooled.buffer();
    for (ByteBuf flushed = channel.readOutbound(); flushed != null;
        flushed = channel.readOutbound()) {
      written.writeBytes(flushed);
      flushed.release();
    }
    return written;
  }

  /**
   * The HPACK representations of each HEADERS frame in {@code written} (after the client
   * preface), in order: "indexed", "incremental indexing", "without indexing" or "never indexed".
   * Reads only what these tests write: indexes, string lengths and name indexes below 15.
   */
  private static List<List<String>> headerBlocks(ByteBuf written) {
    written.skipBytes(Http2CodecUtil.connectionPrefaceBuf().readableBytes());
    List<List<String>> blocks = new ArrayList<>();
    while (written.isReadable()) {
      int length = written.readUnsignedMedium();
      byte type = written.readByte();
      written.skipBytes(5);
      ByteBuf payload = written.readSlice(length);
      if (type == Http2FrameTypes.HEADERS) {
        blocks.add(representations(payload));
      }
    }
    written.release();
    return blocks;
  }

  private static List<String> representations(ByteBuf block) {
    List<String> kinds = new ArrayList<>();
    while (block.isReadable()) {
      int first = block.readUnsignedByte();
      if ((first & 0x80) != 0) {
        kinds.add("indexed");
        continue;
      }
      int nameIndex;
      if ((first & 0x40) != 0) {
        kinds.add("incremental indexing");
        nameIndex = first & 0x3f;
      } else {
        kinds.add((first & 0x10) != 0 ? "never indexed" : "without indexing");
        nameIndex = first & 0x0f;
      }
      if (nameIndex == 0) {
        block.skipBytes(block.readUnsignedByte() & 0x7f);
      }
      block.skipBytes(block.readUnsignedByte() & 0x7f);
    }
    return kinds;
  }
}
