package io.weft.common;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Durations;
import java.math.BigDecimal;
import java.time.Duration;

/** Converts between {@code google.protobuf.Duration} and {@link java.time.Duration}. */
public final class ProtoDurations {

  private ProtoDurations() {}

  /**
   * Whether {@code duration} is a well-formed protobuf duration: seconds within +-10,000 years,
   * nanos within +-999,999,999 and of the same sign as the seconds.
   */
  public static boolean isValid(com.google.protobuf.Duration duration) {
    return Durations.isValid(duration);
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
    return Durations.fromNanos(duration.toNanos());
  }

  /** The nanoseconds of a well-formed protobuf duration. */
  public static long toNanos(com.google.protobuf.Duration duration) {
    return Durations.toNanos(duration);
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
