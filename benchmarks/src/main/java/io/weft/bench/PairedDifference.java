package io.weft.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One path's per-round figure minus a baseline's from the same rounds: the median difference, the
 * rounds in which the path was no slower, and a distribution-free 95 % confidence interval for the
 * median (the sign-test interval: order statistics chosen from the binomial distribution, so no
 * assumption about the shape of the noise). A round's two figures ran in the same round, so a slow
 * spell of the machine weighs on both.
 *
 * @param rounds the number of rounds compared
 * @param median the median difference
 * @param notSlower the rounds whose difference is zero or below
 * @param lower the interval's lower bound, or the smallest difference when there are too few rounds
 *     for a 95 % interval
 * @param upper the interval's upper bound, or the largest difference when there are too few rounds
 * @param hasInterval whether there were enough rounds (six or more) for a 95 % interval
 */
record PairedDifference(int rounds, double median, int notSlower, long lower, long upper,
    boolean hasInterval) {

  /** The two-sided risk the interval leaves: 5 %, split between its ends. */
  private static final double RISK_PER_END = 0.025;

  /** {@code path}'s figures minus {@code baseline}'s, round by round; both lists in round order. */
  static PairedDifference of(List<Long> path, List<Long> baseline) {
    if (path.size() != baseline.size() || path.isEmpty()) {
      throw new IllegalArgumentException("need the same number of rounds, at least one: "
          + path.size() + " against " + baseline.size());
    }
    List<Long> differences = new ArrayList<>();
    for (int round = 0; round < path.size(); round++) {
      differences.add(path.get(round) - baseline.get(round));
    }
    List<Long> sorted = differences.stream().sorted().toList();
    int n = sorted.size();
    double median =
        n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    int notSlower = (int) differences.stream().filter(difference -> difference <= 0).count();
    int k = intervalRank(n);
    return k == 0
        ? new PairedDifference(n, median, notSlower, sorted.get(0), sorted.get(n - 1), false)
        : new PairedDifference(n, median, notSlower, sorted.get(k - 1), sorted.get(n - k), true);
  }

  /**
   * The rank k (1-based) of the interval's lower end among n sorted differences: the largest k with
   * P(Binomial(n, 1/2) &lt; k) at most 2.5 %; 0 when even k = 1 exceeds it (fewer than six rounds).
   * Summed in logarithms, so that any number of rounds works.
   */
  static int intervalRank(int n) {
    double logProbability = n * Math.log(0.5);
    double cumulative = Math.exp(logProbability);
    int k = 0;
    for (int below = 0; cumulative <= RISK_PER_END && below < n; below++) {
      k = below + 1;
      logProbability += Math.log((double) (n - below) / (below + 1));
      cumulative += Math.exp(logProbability);
    }
    return k;
  }

  /** Faster, slower or level: whether the interval lies wholly below zero, above it, or spans it. */
  String verdict() {
    if (!hasInterval) {
      return "too few rounds for a 95 % interval";
    }
    if (upper < 0) {
      return "faster";
    }
    return lower > 0 ? "slower" : "level (the interval spans zero)";
  }

  /** One line for the report, naming the path and the baseline. */
  String describe(String path, String baseline) {
    return String.format(Locale.ROOT, "%s minus %s, p50 round by round: median %+.1f µs, "
            + "95 %% interval [%+d, %+d] µs: %s; no slower in %d of %d rounds", path, baseline,
        median, lower, upper, verdict(), notSlower, rounds);
  }
}
