package io.weft.sidecar.agent;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Exponential backoff with jitter for reconnecting to the control plane: the n-th retry waits
 * {@code min(max, initial * multiplier^n)}, spread by a random factor in {@code [1 - jitter,
 * 1 + jitter]}.
 *
 * @param initial delay before the first retry; positive
 * @param max upper bound of the delay before jitter; at least {@code initial}
 * @param multiplier growth per retry; at least 1
 * @param jitter relative spread of each delay; 0..1
 */
public record BackoffOptions(Duration initial, Duration max, double multiplier, double jitter) {

  /** 100 ms initial, 5 s max, multiplier 1.6, jitter ±20 % (the mesh's reconnect policy). */
  public static final BackoffOptions DEFAULT =
      new BackoffOptions(Duration.ofMillis(100), Duration.ofSeconds(5), 1.6, 0.2);

  /** Validates every field. */
  public BackoffOptions {
    requireNonNull(initial, "initial");
    requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("backoff.initial: " + initial + " (expected: > 0)");
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff.max: " + max + " (expected: >= backoff.initial " + initial + ")");
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("backoff.multiplier: " + multiplier + " (expected: >= 1)");
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("backoff.jitter: " + jitter + " (expected: 0..1)");
    }
  }
}
