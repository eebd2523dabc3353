package io.weft.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class MessageSizeGuardTest {

  private static ByteBuf message(int length) {
    ByteBuf message = Unpooled.buffer(5 + length);
    message.writeByte(0).writeInt(length).writeZero(length);
    return message;
  }

  @Test
  void messagesUpToTheLimit_pass_manyInOneFrame() {
    MessageSizeGuard guard = new MessageSizeGuard(100);
    ByteBuf frame = Unpooled.wrappedBuffer(message(100), message(0), message(7));

    assertThat(guard.oversizedIn(frame)).isEqualTo(-1);
    assertThat(frame.readableBytes()).isEqualTo(5 + 100 + 5 + 5 + 7);
  }

  @Test
  void aMessageOverTheLimit_isFound_afterSmallerOnes() {
    MessageSizeGuard guard = new MessageSizeGuard(100);

    assertThat(guard.oversizedIn(Unpooled.wrappedBuffer(message(10), message(101))))
        .isEqualTo(101);
  }

  @Test
  void prefixesAndBodiesSplitAcrossFrames_areFollowed() {
    MessageSizeGuard guard = new MessageSizeGuard(1000);
    ByteBuf stream = Unpooled.wrappedBuffer(message(300), message(999), message(1001));
    int[] cuts = {2, 4, 303, 306, 1000, 1310};
    int from = 0;
    long found = -1;
    for (int cut : cuts) {
      found = guard.oversizedIn(stream.slice(from, cut - from));
      assertThat(found).isEqualTo(-1);
      from = cut;
    }
    found = guard.oversizedIn(stream.slice(from, stream.readableBytes() - from));

    assertThat(found).isEqualTo(1001);
  }

  @Test
  void lengthsAboveTwoGigabytes_areReadUnsigned() {
    MessageSizeGuard guard = new MessageSizeGuard(Integer.MAX_VALUE);
    ByteBuf prefix = Unpooled.buffer(5).writeByte(0).writeInt(0xffffffff);

    assertThat(guard.oversizedIn(prefix)).isEqualTo(0xffffffffL);
  }
}
