package io.weft.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.weft.controlplane.registry.PropagationTracker.Cancellable;
import io.weft.mesh.v1.DrainConfirmation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pending propagation waits: each completes when every connected sidecar subscribed to its
 * service has ACKed the service at the wait's revision or later, or when its bound passes.
 *
 * <p>Streams report ACKs, subscription changes and closes; each report is applied under one short
 * lock, and callbacks run on the callback executor after unlocking, exactly once per wait unless
 * the wait is cancelled first.
 */
final class PropagationWaits {

  private static final Logger logger = LoggerFactory.getLogger(PropagationWaits.class);

  /** What a wait needs to know about a connected sidecar. Implementations are thread-safe. */
  interface Sidecar {
    String nodeId();

    /** Whether the sidecar subscribes to {@code service} now, by name or by wildcard. */
    boolean subscribesToService(String service);

    /** The highest revision at which the sidecar ACKed {@code service}, or -1. */
    long ackedRevision(String service);
  }

  private final Function<String, ? extends Collection<? extends Sidecar>> subscribers;
  private final ScheduledExecutorService scheduler;
  private final Executor callbackExecutor;

  private final Object lock = new Object();
  private final Map<String, List<Wait>> waitsByService = new HashMap<>();

  /**
   * Creates an empty set of waits.
   *
   * @param subscribers the sidecars subscribed now to a service, by name or wildcard
   */
  PropagationWaits(
      Function<String, ? extends Collection<? extends Sidecar>> subscribers,
      ScheduledExecutorService scheduler,
      Executor callbackExecutor) {
    this.subscribers = requireNonNull(subscribers, "subscribers");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.callbackExecutor = requireNonNull(callbackExecutor, "callbackExecutor");
  }

  /** See {@link io.weft.controlplane.registry.PropagationTracker#whenAcknowledged}. */
  Cancellable await(
      String service, long revision, Duration bound, Consumer<DrainConfirmation> callback) {
    requireNonNull(service, "service");
    requireNonNull(bound, "bound");
    requireNonNull(callback, "callback");
    if (bound.isNegative()) {
      throw new IllegalArgumentException("bound: " + bound + " (expected: >= 0)");
    }
    Wait wait = new Wait(service, revision, callback);
    List<Completion> completions = new ArrayList<>();
    synchronized (lock) {
      for (Sidecar sidecar : subscribers.apply(service)) {
        if (sidecar.ackedRevision(service) >= revision) {
          wait.confirmed.add(sidecar);
        } else {
          wait.pending.add(sidecar);
        }
      }
      if (wait.pending.isEmpty()) {
        completions.add(complete(wait, false));
      } else {
        waitsByService.computeIfAbsent(service, s -> new ArrayList<>()).add(wait);
        wait.timer =
            scheduler.schedule(() -> timeOut(wait), bound.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
    run(completions);
    return () -> cancel(wait);
  }

  /** A sidecar ACKed a response that carried {@code services} at {@code version}. */
  void onAcked(Sidecar sidecar, Collection<String> services, long version) {
    List<Completion> completions = new ArrayList<>();
    synchronized (lock) {
      for (String service : services) {
        List<Wait> waits = waitsByService.get(service);
        if (waits == null) {
          continue;
        }
        for (Wait wait : List.copyOf(waits)) {
          if (version >= wait.revision && wait.pending.remove(sidecar)) {
            wait.confirmed.add(sidecar);
            completeIfDone(wait, completions);
          }
        }
      }
    }
    run(completions);
  }

  /** A sidecar's subscriptions changed: it starts or stops counting for the affected waits. */
  void onSubscriptionChanged(Sidecar sidecar) {
    List<Completion> completions = new ArrayList<>();
    synchronized (lock) {
      for (List<Wait> waits : List.copyOf(waitsByService.values())) {
        for (Wait wait : List.copyOf(waits)) {
          if (!sidecar.subscribesToService(wait.service)) {
            if (wait.pending.remove(sidecar)) {
              completeIfDone(wait, completions);
            }
          } else if (!wait.confirmed.contains(sidecar)
              && sidecar.ackedRevision(wait.service) < wait.revision) {
            wait.pending.add(sidecar);
          }
        }
      }
    }
    run(completions);
  }

  /** A sidecar disconnected: it stops counting everywhere. */
  void onClosed(Sidecar sidecar) {
    List<Completion> completions = new ArrayList<>();
    synchronized (lock) {
      for (List<Wait> waits : List.copyOf(waitsByService.values())) {
        for (Wait wait : List.copyOf(waits)) {
          if (wait.pending.remove(sidecar)) {
            completeIfDone(wait, completions);
          }
        }
      }
    }
    run(completions);
  }

  /** Waits not completed or cancelled yet. */
  int pendingWaits() {
    synchronized (lock) {
      return waitsByService.values().stream().mapToInt(List::size).sum();
    }
  }

  /** Cancels every pending wait; their callbacks are never called. */
  void close() {
    synchronized (lock) {
      for (List<Wait> waits : waitsByService.values()) {
        for (Wait wait : waits) {
          wait.done = true;
          wait.cancelled = true;
          cancelTimer(wait);
        }
      }
      waitsByService.clear();
    }
  }

  private void cancel(Wait wait) {
    synchronized (lock) {
      wait.cancelled = true;
      if (!wait.done) {
        wait.done = true;
        cancelTimer(wait);
        forget(wait);
      }
    }
  }

  private void timeOut(Wait wait) {
    Completion completion;
    synchronized (lock) {
      if (wait.done) {
        return;
      }
      completion = complete(wait, true);
    }
    run(List.of(completion));
  }

  private void completeIfDone(Wait wait, List<Completion> completions) {
    if (wait.pending.isEmpty() && !wait.done) {
      completions.add(complete(wait, false));
    }
  }

  private Completion complete(Wait wait, boolean timedOut) {
    wait.done = true;
    cancelTimer(wait);
    forget(wait);
    DrainConfirmation.Builder confirmation =
        DrainConfirmation.newBuilder()
            .setRevision(wait.revision)
            .setConfirmedSidecars(wait.confirmed.size())
            .setTimedOut(timedOut);
    if (timedOut) {
      Set<String> pendingIds = new TreeSet<>();
      wait.pending.forEach(sidecar -> pendingIds.add(sidecar.nodeId()));
      confirmation.addAllPendingNodeIds(pendingIds);
    }
    return new Completion(wait, confirmation.build());
  }

  private void forget(Wait wait) {
    List<Wait> waits = waitsByService.get(wait.service);
    if (waits != null) {
      waits.remove(wait);
      if (waits.isEmpty()) {
        waitsByService.remove(wait.service);
      }
    }
  }

  private static void cancelTimer(Wait wait) {
    if (wait.timer != null) {
      wait.timer.cancel(false);
    }
  }

  private void run(List<Completion> completions) {
    for (Completion completion : completions) {
      Wait wait = completion.pending();
      callbackExecutor.execute(
          () -> {
            if (wait.cancelled) {
              return;
            }
            try {
              wait.callback.accept(completion.confirmation);
            } catch (RuntimeException e) {
              logger.warn(
                  "propagation callback for {} at revision {} failed",
                  wait.service, wait.revision, e);
            }
          });
    }
  }

  private record Completion(Wait pending, DrainConfirmation confirmation) {}

  private static final class Wait {
    final String service;
    final long revision;
    final Consumer<DrainConfirmation> callback;
    final Set<Sidecar> pending = new HashSet<>();
    final Set<Sidecar> confirmed = new HashSet<>();
    ScheduledFuture<?> timer;
    boolean done;
    volatile boolean cancelled;

    Wait(String service, long revision, Consumer<DrainConfirmation> callback) {
      this.service = service;
      this.revision = revision;
      this.callback = callback;
    }
  }
}
