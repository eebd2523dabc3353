package io.weft.common;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the sidecar waits between attempts to reach the control plane: the first delay is
 * {@code initial}, each next one is {@code multiplier} times the previous, never more than
 * {@code max}; each delay is spread by up to {@code ±jitter} of itself (so {@code 0.2} means
 * ±20 %). The sequence starts again after any response is received.
 */
public record BackoffOptions(Duration initial, Duration max, double multiplier, double jitter) {

  /** 100 ms, growing by 1.6 up to 5 s, ±20 % jitter. */
  public static final BackoffOptions DEFAULT =
      new BackoffOptions(Duration.ofMillis(100), Duration.ofSeconds(5), 1.6, 0.2);

  /** Validates every field. */
  public BackoffOptions {
    requireNonNull(initial, "initial");
    requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial: " + initial + " (expected: > 0)");
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= initial " + initial + ")");
    }
    if (!(multiplier >= 1.0)) {
      throw new IllegalArgumentException("multiplier: " + multiplier + " (expected: >= 1.0)");
    }
    if (!(jitter >= 0.0 && jitter < 1.0)) {
      throw new IllegalArgumentException("jitter: " + jitter + " (expected: 0.0 <= jitter < 1.0)");
    }
  }
}
