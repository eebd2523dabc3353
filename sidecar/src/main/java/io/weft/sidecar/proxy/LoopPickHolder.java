package io.weft.sidecar.proxy;

import io.grpc.CallOptions;
import io.grpc.netty.shaded.io.netty.util.concurrent.FastThreadLocal;
import io.weft.sidecar.balancer.MeshCallOptions;
import io.weft.sidecar.balancer.PickedEndpoint;
import io.weft.sidecar.balancer.PickedUpstream;
import java.util.concurrent.TimeUnit;

/**
 * The {@link PickedUpstream} holder of one event loop's relayed calls, with the call options that
 * carry it. A relayed call is picked on its event loop and reads the pick right after, so one
 * holder serves every call of the loop and no call builds call options of its own for it
 * (grpc-java copies every custom option to add one). Confined to its event loop's thread.
 */
final class LoopPickHolder {

  private static final FastThreadLocal<LoopPickHolder> LOOP_HOLDER = new FastThreadLocal<>() {
    @Override
    protected LoopPickHolder initialValue() {
      return new LoopPickHolder();
    }
  };

  private final PickedUpstream holder = new PickedUpstream();
  private final CallOptions options =
      CallOptions.DEFAULT.withOption(MeshCallOptions.PICKED_UPSTREAM, holder);

  private LoopPickHolder() {}

  /** The holder of the calling event loop thread. */
  static LoopPickHolder current() {
    return LOOP_HOLDER.get();
  }

  /**
   * The options of a pick: this loop's holder, emptied, and the deadline when the call has one
   * ({@code remainingNanos} left of it, or null).
   */
  CallOptions optionsForPick(Long remainingNanos) {
    holder.clear();
    return remainingNanos == null
        ? options : options.withDeadlineAfter(remainingNanos, TimeUnit.NANOSECONDS);
  }

  /** The endpoint the last pick recorded, or null when the picker recorded none. */
  PickedEndpoint picked() {
    return holder.endpoint();
  }
}
