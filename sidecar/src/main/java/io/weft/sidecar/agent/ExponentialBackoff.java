package io.weft.sidecar.agent;

import static java.util.Objects.requireNonNull;

import java.util.Random;

/**
 * The delays of one retry sequence under {@link BackoffOptions}. Not thread-safe: used from one
 * synchronization context.
 */
final class ExponentialBackoff {

  private final BackoffOptions options;
  private final Random random;
  private double nextBaseNanos;

  ExponentialBackoff(BackoffOptions options, Random random) {
    this.options = requireNonNull(options, "options");
    this.random = requireNonNull(random, "random");
    reset();
  }

  /** The delay before the next retry, in nanoseconds; each call grows the next one. */
  long nextDelayNanos() {
    double base = nextBaseNanos;
    nextBaseNanos = Math.min(options.max().toNanos(), base * options.multiplier());
    double spread = options.jitter() * (2 * random.nextDouble() - 1);
    return Math.max(0L, Math.round(base * (1 + spread)));
  }

  /** Starts the sequence again from the initial delay (after the connection proved healthy). */
  void reset() {
    nextBaseNanos = options.initial().toNanos();
  }
}
