package io.weft.common;

import static java.util.Objects.requireNonNull;

import java.util.Random;

/**
 * The sequence of delays between reconnection attempts described by {@link BackoffOptions}.
 * Not thread-safe: each user keeps it in its synchronization context.
 */
public final class ExponentialBackoff {

  private final BackoffOptions options;
  private final Random random;
  private double nextBaseNanos;

  /** A sequence under {@code options}, with jitter drawn from {@code random}. */
  public ExponentialBackoff(BackoffOptions options, Random random) {
    this.options = requireNonNull(options, "options");
    this.random = requireNonNull(random, "random");
    reset();
  }

  /** Starts the sequence again from the initial delay. */
  public void reset() {
    nextBaseNanos = options.initial().toNanos();
  }

  /** The delay before the next attempt, in nanoseconds; advances the sequence. */
  public long nextDelayNanos() {
    double maxNanos = options.max().toNanos();
    double base = nextBaseNanos;
    nextBaseNanos = Math.min(base * options.multiplier(), maxNanos);
    double spread = options.jitter() * (2 * random.nextDouble() - 1);
    return Math.round(Math.min(base * (1 + spread), maxNanos));
  }
}
