package io.weft.sidecar.balancer;

import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.LoadBalancer.SubchannelPicker;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Smooth weighted round robin over a fixed set of endpoints, per call: walks a precomputed {@link
 * SmoothWeightedSchedule} with an atomic index. Immutable apart from that index; two pickers over
 * equal targets are equal, so the balancer keeps the one it has.
 */
final class RoundRobinPicker extends SubchannelPicker {

  private final List<PickTarget> targets;
  private final int[] schedule;
  private final AtomicInteger index;

  /**
   * @param targets the endpoints to pick from, at least one
   * @param start where in the cycle to begin, so that callers do not all start on one endpoint
   */
  RoundRobinPicker(List<PickTarget> targets, int start) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("targets: [] (expected: at least one)");
    }
    this.targets = List.copyOf(targets);
    this.schedule =
        SmoothWeightedSchedule.build(this.targets.stream().mapToInt(PickTarget::weight).toArray());
    this.index = new AtomicInteger(Math.floorMod(start, schedule.length));
  }

  @Override
  public PickResult pickSubchannel(PickSubchannelArgs args) {
    long turn = Integer.toUnsignedLong(index.getAndIncrement()) % schedule.length;
    return targets.get(schedule[(int) turn]).pick(args);
  }

  /** Whether this picker picks among exactly these targets, in this order. */
  boolean picksAmong(List<PickTarget> others) {
    return targets.equals(others);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RoundRobinPicker that && targets.equals(that.targets);
  }

  @Override
  public int hashCode() {
    return targets.hashCode();
  }

  @Override
  public String toString() {
    return "RoundRobinPicker" + targets;
  }
}
