package io.weft.sidecar.balancer;

import static java.util.Objects.requireNonNull;

import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.LoadBalancer.SubchannelPicker;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Least request by the power of two choices, weighted: draws two different endpoints, each with
 * probability proportional to its weight, and picks the one with fewer calls in flight per unit of
 * weight; on a tie, the first drawn. With no load this is weighted random; under load the calls in
 * flight settle in proportion to the weights. Immutable; two pickers over equal targets are equal.
 */
final class LeastRequestPicker extends SubchannelPicker {

  private final List<PickTarget> targets;
  private final RandomGenerator random;
  /** {@code ends[i]} is the sum of the weights of targets 0..i. */
  private final long[] ends;

  LeastRequestPicker(List<PickTarget> targets, RandomGenerator random) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("targets: [] (expected: at least one)");
    }
    this.targets = List.copyOf(targets);
    this.random = requireNonNull(random, "random");
    this.ends = new long[this.targets.size()];
    long total = 0;
    for (int i = 0; i < ends.length; i++) {
      total += this.targets.get(i).weight();
      ends[i] = total;
    }
  }

  @Override
  public PickResult pickSubchannel(PickSubchannelArgs args) {
    if (targets.size() == 1) {
      return targets.get(0).pick(args);
    }
    long total = ends[ends.length - 1];
    int first = indexAt(random.nextLong(total));
    int firstWeight = targets.get(first).weight();
    long draw = random.nextLong(total - firstWeight);
    long firstStart = ends[first] - firstWeight;
    int second = indexAt(draw >= firstStart ? draw + firstWeight : draw);
    return lessLoaded(targets.get(first), targets.get(second)).pick(args);
  }

  private static PickTarget lessLoaded(PickTarget first, PickTarget second) {
    long firstLoad = (long) first.inFlight() * second.weight();
    long secondLoad = (long) second.inFlight() * first.weight();
    return secondLoad < firstLoad ? second : first;
  }

  /** The target whose share of {@code [0, total)} holds {@code point}. */
  private int indexAt(long point) {
    int found = Arrays.binarySearch(ends, point + 1);
    return found >= 0 ? found : -found - 1;
  }

  /** Whether this picker picks among exactly these targets, in this order. */
  boolean picksAmong(List<PickTarget> others) {
    return targets.equals(others);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LeastRequestPicker that && targets.equals(that.targets);
  }

  @Override
  public int hashCode() {
    return 31 * targets.hashCode() + 1;
  }

  @Override
  public String toString() {
    return "LeastRequestPicker" + targets;
  }
}
