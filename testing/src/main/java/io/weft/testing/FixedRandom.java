package io.weft.testing;

import java.util.Random;

/** A {@link Random} whose {@code nextDouble()} always returns one value, for exact jitter in tests. */
public final class FixedRandom extends Random {

  private final double value;

  private FixedRandom(double value) {
    this.value = value;
  }

  /** A random source whose every {@code nextDouble()} is {@code value} (0 inclusive to 1). */
  public static Random of(double value) {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new IllegalArgumentException("value: " + value + " (expected: 0..1)");
    }
    return new FixedRandom(value);
  }

  @Override
  public double nextDouble() {
    return value;
  }
}
