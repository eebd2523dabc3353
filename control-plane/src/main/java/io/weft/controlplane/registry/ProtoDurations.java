package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.time.Duration;

/** Converts between {@code google.protobuf.Duration} and {@link java.time.Duration}. */
public final class ProtoDurations {

  private static final long MAX_SECONDS = 315_576_000_000L;
  private static final int NANOS_PER_SECOND = 1_000_000_000;

  private ProtoDurations() {}

  /**
   * Whether {@code duration} is a well-formed protobuf duration: seconds within +-10,000 years,
   * nanos within +-999,999,999 and of the same sign as the seconds.
   */
  public static boolean isValid(com.google.protobuf.Duration duration) {
    long seconds = duration.getSeconds();
    int nanos = duration.getNanos();
    if (seconds < -MAX_SECONDS || seconds > MAX_SECONDS) {
      return false;
    }
    if (nanos <= -NANOS_PER_SECOND || nanos >= NANOS_PER_SECOND) {
      return false;
    }
    return !(seconds < 0 && nanos > 0) && !(seconds > 0 && nanos < 0);
  }

  /**
   * The Java duration of a well-formed protobuf duration.
   *
   * @throws IllegalArgumentException if {@code duration} is not {@link #isValid valid}
   */
  public static Duration toJava(com.google.protobuf.Duration duration) {
    requireNonNull(duration, "duration");
    if (!isValid(duration)) {
      throw new IllegalArgumentException("duration: " + describe(duration) + " (expected: valid)");
    }
    return Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
  }

  /** The protobuf duration of a Java duration. */
  public static com.google.protobuf.Duration toProto(Duration duration) {
    requireNonNull(duration, "duration");
    long seconds = duration.getSeconds();
    int nanos = duration.getNano();
    if (seconds < 0 && nanos > 0) {
      seconds += 1;
      nanos -= NANOS_PER_SECOND;
    }
    return com.google.protobuf.Duration.newBuilder().setSeconds(seconds).setNanos(nanos).build();
  }

  /** A short human-readable form such as {@code 1.5s}, also for malformed durations. */
  public static String describe(com.google.protobuf.Duration duration) {
    if (!isValid(duration)) {
      String sign = duration.getNanos() >= 0 ? "+" : "";
      return duration.getSeconds() + "s" + sign + duration.getNanos() + "ns";
    }
    return describe(toJava(duration));
  }

  /** A short human-readable form such as {@code 1.5s} or {@code 250ms}. */
  public static String describe(Duration duration) {
    if (duration.getNano() == 0) {
      return duration.getSeconds() + "s";
    }
    if (duration.getSeconds() == 0 && duration.getNano() % 1_000_000 == 0) {
      return duration.getNano() / 1_000_000 + "ms";
    }
    return BigDecimal.valueOf(duration.getSeconds())
            .add(BigDecimal.valueOf(duration.getNano(), 9))
            .stripTrailingZeros()
            .toPlainString()
        + "s";
  }
}
