package io.weft.sidecar.proxy;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;

/**
 * Follows the gRPC length-prefixed messages of one direction of a call as its DATA frames pass
 * (each message: 1 flag byte, a 4-byte big-endian length, the message), without copying them, and
 * finds the first message longer than the limit. The prefix may be split across frames.
 */
final class MessageSizeGuard {

  private static final int PREFIX_LENGTH = 5;

  private final int maxMessageSize;
  private int prefixBytesSeen;
  private long length;
  private long bodyLeft;

  MessageSizeGuard(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  /**
   * Reads the prefixes in {@code data} (its readable bytes, left unread) and returns the length of
   * the first message over the limit, or -1 when every message begun so far is within it.
   */
  long oversizedIn(ByteBuf data) {
    int index = data.readerIndex();
    int end = data.writerIndex();
    while (index < end) {
      if (bodyLeft > 0) {
        int skipped = (int) Math.min(bodyLeft, end - index);
        bodyLeft -= skipped;
        index += skipped;
        continue;
      }
      if (prefixBytesSeen > 0) {
        length = (length << 8) | data.getUnsignedByte(index);
      }
      prefixBytesSeen++;
      index++;
      if (prefixBytesSeen == PREFIX_LENGTH) {
        prefixBytesSeen = 0;
        if (length > maxMessageSize) {
          return length;
        }
        bodyLeft = length;
        length = 0;
      }
    }
    return -1;
  }
}
