package io.weft.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.HashMultiset;
import com.google.common.collect.Multiset;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.KnownService;
import io.weft.mesh.v1.ServiceEndpoints;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Restart safety (the lesson of istio#25100): for the warm-up window after start, a control plane
 * that has just started with an empty registry must not push a service it has not rebuilt yet.
 *
 * <p>While warming up, service S goes to sidecar X only if S has at least one instance and either
 * (a) S is rebuilt: every instance id that any connected sidecar reported for S in its
 * {@code initial_service_state} is registered again, or (b) X reported nothing for S. Empty
 * services and empty routes are held. When the window ends, {@code onEnd} runs and everything
 * held may be sent. Thread-safe; the reports are dropped when the window ends.
 */
final class WarmupGate {

  private final Runnable onEnd;
  private final Object lock = new Object();
  private final Map<Object, Map<String, List<String>>> reportsBySidecar = new HashMap<>();
  private final Map<String, Multiset<String>> reportedIds = new HashMap<>();
  private volatile boolean warming;
  private ScheduledFuture<?> end;

  private WarmupGate(Runnable onEnd) {
    this.onEnd = onEnd;
  }

  /**
   * Starts the window now; {@code onEnd} runs on the scheduler when it ends. A zero window means
   * no warm-up at all ({@code onEnd} never runs).
   */
  static WarmupGate start(Duration warmup, ScheduledExecutorService scheduler, Runnable onEnd) {
    requireNonNull(warmup, "warmup");
    requireNonNull(scheduler, "scheduler");
    WarmupGate gate = new WarmupGate(requireNonNull(onEnd, "onEnd"));
    if (!warmup.isZero()) {
      synchronized (gate.lock) {
        gate.warming = true;
        gate.end = scheduler.schedule(gate::finish, warmup.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
    return gate;
  }

  boolean isWarming() {
    return warming;
  }

  /** Records what a newly connected sidecar holds; ignored once the window has ended. */
  void register(Object sidecar, Map<String, KnownService> initialState) {
    synchronized (lock) {
      if (!warming || initialState.isEmpty()) {
        return;
      }
      Map<String, List<String>> reports = new HashMap<>();
      initialState.forEach(
          (service, known) -> {
            reports.put(service, List.copyOf(known.getInstanceIdsList()));
            reportedIds
                .computeIfAbsent(service, s -> HashMultiset.create())
                .addAll(known.getInstanceIdsList());
          });
      reportsBySidecar.put(sidecar, reports);
    }
  }

  /**
   * Forgets a disconnected sidecar's reports.
   *
   * @return the services it had reported (whose rebuilt state may have changed), empty once the
   *     window has ended
   */
  Set<String> unregister(Object sidecar) {
    synchronized (lock) {
      Map<String, List<String>> reports = reportsBySidecar.remove(sidecar);
      if (reports == null) {
        return Set.of();
      }
      reports.forEach(
          (service, ids) -> {
            Multiset<String> all = reportedIds.get(service);
            ids.forEach(all::remove);
            if (all.isEmpty()) {
              reportedIds.remove(service);
            }
          });
      return Set.copyOf(reports.keySet());
    }
  }

  /** Whether {@code endpoints} may be sent to {@code sidecar} now. */
  boolean allowsService(Object sidecar, ServiceEndpoints endpoints) {
    if (!warming) {
      return true;
    }
    if (endpoints.getInstancesCount() == 0) {
      return false;
    }
    synchronized (lock) {
      if (!warming) {
        return true;
      }
      Map<String, List<String>> reports = reportsBySidecar.get(sidecar);
      if (reports == null || !reports.containsKey(endpoints.getService())) {
        return true;
      }
      return isRebuilt(endpoints);
    }
  }

  /** Whether {@code route} may be sent now: empty routes are held during warm-up. */
  boolean allowsRoute(GrpcRoute route) {
    return !warming || route.getServicesCount() > 0;
  }

  /** Cancels the end of the window (the server is shutting down). */
  void close() {
    synchronized (lock) {
      if (end != null) {
        end.cancel(false);
      }
    }
  }

  private boolean isRebuilt(ServiceEndpoints endpoints) {
    Multiset<String> reported = reportedIds.get(endpoints.getService());
    if (reported == null) {
      return true;
    }
    Set<String> registered = new HashSet<>();
    for (Instance instance : endpoints.getInstancesList()) {
      registered.add(instance.getInstanceId());
    }
    return registered.containsAll(reported.elementSet());
  }

  private void finish() {
    synchronized (lock) {
      if (!warming) {
        return;
      }
      warming = false;
      end = null;
      reportsBySidecar.clear();
      reportedIds.clear();
    }
    onEnd.run();
  }
}
