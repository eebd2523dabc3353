package io.weft.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;

/**
 * Settings of the {@link DiscoveryServer}. Immutable; start from {@link #of(String)} and adjust
 * with the {@code with...} methods.
 *
 * @param debounce how long registry changes are collected, from the first change of a burst,
 *     before streams are marked dirty (the {@code --debounce} flag; default 10 ms)
 * @param warmup how long after start the restart-safety gate holds services that are not rebuilt
 *     yet (the {@code --warmup} flag; default 10 s, one lease TTL); zero disables the gate
 * @param controlPlaneId identifies this control-plane process in every response; it must change
 *     when the control plane restarts
 * @param clock wall clock for the timestamps shown in the status (connected since, NACK time);
 *     never used for timing decisions
 */
public record DiscoveryOptions(
    Duration debounce, Duration warmup, String controlPlaneId, Clock clock) {

  /** The default debounce window. */
  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(10);

  /** The default warm-up window: one default lease TTL. */
  public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(10);

  public DiscoveryOptions {
    requireNonNull(debounce, "debounce");
    requireNonNull(warmup, "warmup");
    requireNonNull(controlPlaneId, "controlPlaneId");
    requireNonNull(clock, "clock");
    if (debounce.isNegative()) {
      throw new IllegalArgumentException("debounce: " + debounce + " (expected: >= 0)");
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("warmup: " + warmup + " (expected: >= 0)");
    }
    if (controlPlaneId.isEmpty()) {
      throw new IllegalArgumentException("controlPlaneId: \"\" (expected: non-empty)");
    }
  }

  /** Defaults (10 ms debounce, 10 s warm-up, system UTC clock) for the given control-plane id. */
  public static DiscoveryOptions of(String controlPlaneId) {
    return new DiscoveryOptions(
        DEFAULT_DEBOUNCE, DEFAULT_WARMUP, controlPlaneId, Clock.systemUTC());
  }

  /** A copy with another debounce window. */
  public DiscoveryOptions withDebounce(Duration debounce) {
    return new DiscoveryOptions(debounce, warmup, controlPlaneId, clock);
  }

  /** A copy with another warm-up window. */
  public DiscoveryOptions withWarmup(Duration warmup) {
    return new DiscoveryOptions(debounce, warmup, controlPlaneId, clock);
  }

  /** A copy with another wall clock. */
  public DiscoveryOptions withClock(Clock clock) {
    return new DiscoveryOptions(debounce, warmup, controlPlaneId, clock);
  }
}
