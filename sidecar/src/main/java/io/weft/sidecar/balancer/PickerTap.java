package io.weft.sidecar.balancer;

import static java.util.Objects.requireNonNull;

import io.grpc.LoadBalancer.SubchannelPicker;
import io.grpc.NameResolver;
import java.util.ArrayList;
import java.util.List;

/**
 * The current picker of one mesh channel, for a proxy that picks with the channel's balancer but
 * carries the calls on connections of its own (the sidecar's frame relay). The {@code
 * weft_picker_tap} policy, at the root of the channel's service config, publishes every picker the
 * balancer below it hands the channel; the channel finds its tap in its name resolver args under
 * {@link #KEY}.
 *
 * <p>Thread-safe: pickers are published in the channel's synchronization context and read from any
 * thread, as grpc-java's own pickers are.
 */
public final class PickerTap {

  /** Where a channel's name resolver args carry its tap. */
  public static final NameResolver.Args.Key<PickerTap> KEY =
      NameResolver.Args.Key.create("weft-picker-tap");

  private final Object lock = new Object();
  private volatile SubchannelPicker picker;
  private List<Runnable> waiters = new ArrayList<>();
  private Runnable connect = () -> {};

  /** Sets what asks the channel to leave idle mode (start its resolver and balancer). */
  public void connectWith(Runnable connect) {
    synchronized (lock) {
      this.connect = requireNonNull(connect, "connect");
    }
  }

  /**
   * The balancer's current picker, or null while the channel's balancer is not running (before its
   * first picker, or after the channel went idle); then {@link #requestConnection()} starts it.
   */
  public SubchannelPicker picker() {
    return picker;
  }

  /** Asks the channel to start its balancer if it is idle. */
  public void requestConnection() {
    Runnable action;
    synchronized (lock) {
      action = connect;
    }
    action.run();
  }

  /**
   * Runs {@code waiter} once, on the publishing thread, when the next picker is published (or at
   * once if {@code seen} is no longer the current picker). Waiters must not block.
   */
  public void whenChangedFrom(SubchannelPicker seen, Runnable waiter) {
    requireNonNull(waiter, "waiter");
    synchronized (lock) {
      if (picker == seen) {
        waiters.add(waiter);
        return;
      }
    }
    waiter.run();
  }

  /**
   * Publishes the balancer's new picker, and runs the waiters; the {@code weft_picker_tap}
   * balancer calls it in the channel's synchronization context.
   */
  public void publish(SubchannelPicker newPicker) {
    List<Runnable> woken;
    synchronized (lock) {
      picker = requireNonNull(newPicker, "newPicker");
      woken = waiters;
      waiters = new ArrayList<>();
    }
    woken.forEach(Runnable::run);
  }

  /** The balancer stopped (the channel went idle or shut down): no picker until it starts again. */
  void balancerStopped() {
    synchronized (lock) {
      picker = null;
    }
  }
}
