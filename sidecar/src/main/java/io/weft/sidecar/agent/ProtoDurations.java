package io.weft.sidecar.agent;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Converts between {@link Duration} and {@code google.protobuf.Duration}. */
final class ProtoDurations {

  private ProtoDurations() {}

  static com.google.protobuf.Duration toProto(Duration duration) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(duration.getSeconds())
        .setNanos(duration.getNano())
        .build();
  }

  static long toNanos(com.google.protobuf.Duration duration) {
    return TimeUnit.SECONDS.toNanos(duration.getSeconds()) + duration.getNanos();
  }
}
