package io.weft.sidecar.balancer;

import java.util.Arrays;

/**
 * One cycle of nginx's smooth weighted round robin, computed ahead so that a picker needs only an
 * atomic index: over a cycle every endpoint appears exactly as often as its (reduced) weight, and
 * its turns are spread as evenly as the weights allow ({@code 5,1,1} gives {@code a a b a c a a}).
 *
 * <p>Weights are first divided by their greatest common divisor, so equal weights give a cycle as
 * long as the number of endpoints. Building costs one step per endpoint per cycle entry; when that
 * would exceed {@link #MAX_WORK} (or the cycle {@link #MAX_LENGTH}), weights are scaled down
 * proportionally first (each stays at least 1), which only happens with thousands of endpoints of
 * very different weights.
 */
final class SmoothWeightedSchedule {

  /** The longest cycle kept: 64 Ki entries. */
  static final int MAX_LENGTH = 1 << 16;

  /** The most steps spent building a cycle (entries times endpoints). */
  static final long MAX_WORK = 1L << 22;

  private SmoothWeightedSchedule() {}

  /**
   * The cycle for these weights (each at least 1): the index of the endpoint for every turn.
   *
   * @throws IllegalArgumentException if there are no weights or one is below 1
   */
  static int[] build(int[] weights) {
    if (weights.length == 0) {
      throw new IllegalArgumentException("weights: [] (expected: at least one)");
    }
    for (int weight : weights) {
      if (weight < 1) {
        throw new IllegalArgumentException(
            "weights: " + Arrays.toString(weights) + " (expected: each >= 1)");
      }
    }
    int[] reduced = fitWithinBudget(reduceByGcd(weights));
    int length = (int) sum(reduced);
    int[] order = new int[length];
    long[] current = new long[reduced.length];
    for (int turn = 0; turn < length; turn++) {
      int best = 0;
      for (int i = 0; i < reduced.length; i++) {
        current[i] += reduced[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= length;
      order[turn] = best;
    }
    return order;
  }

  private static int[] reduceByGcd(int[] weights) {
    int gcd = 0;
    for (int weight : weights) {
      gcd = gcd(gcd, weight);
    }
    int[] reduced = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      reduced[i] = weights[i] / gcd;
    }
    return reduced;
  }

  private static int[] fitWithinBudget(int[] weights) {
    long total = sum(weights);
    long limit = Math.min(MAX_LENGTH, MAX_WORK / weights.length);
    if (total <= limit) {
      return weights;
    }
    double scale = (double) Math.max(limit - weights.length, weights.length) / total;
    int[] scaled = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      scaled[i] = (int) Math.max(1, Math.round(weights[i] * scale));
    }
    return reduceByGcd(scaled);
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int rest = a % b;
      a = b;
      b = rest;
    }
    return a;
  }

  private static long sum(int[] weights) {
    long total = 0;
    for (int weight : weights) {
      total += weight;
    }
    return total;
  }
}
