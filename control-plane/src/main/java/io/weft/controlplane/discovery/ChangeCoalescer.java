package io.weft.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import com.google.common.base.Ticker;
import io.weft.controlplane.registry.RegistryChange;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Collects registry changes for the debounce window, counted from the first change of a burst,
 * then hands the union of the changed names to the dispatcher on the fan-out executor.
 * {@link #add} only records and returns: it never runs the fan-out on the caller's thread.
 */
final class ChangeCoalescer {

  /**
   * The names a burst of changes touched.
   *
   * @param services changed service names
   * @param routes changed route names
   * @param firstArrivalNanos ticker time at which the burst's first change arrived
   */
  record Batch(Set<String> services, Set<String> routes, long firstArrivalNanos) {
    Batch {
      services = Set.copyOf(services);
      routes = Set.copyOf(routes);
    }
  }

  private final Ticker ticker;
  private final ScheduledExecutorService scheduler;
  private final Executor fanOutExecutor;
  private final long debounceNanos;
  private final Consumer<Batch> dispatcher;

  private final Object lock = new Object();
  private Set<String> services = new HashSet<>();
  private Set<String> routes = new HashSet<>();
  private long firstArrivalNanos;
  private ScheduledFuture<?> flush;
  private boolean closed;

  ChangeCoalescer(
      Ticker ticker,
      ScheduledExecutorService scheduler,
      Executor fanOutExecutor,
      Duration debounce,
      Consumer<Batch> dispatcher) {
    this.ticker = requireNonNull(ticker, "ticker");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.fanOutExecutor = requireNonNull(fanOutExecutor, "fanOutExecutor");
    this.debounceNanos = requireNonNull(debounce, "debounce").toNanos();
    this.dispatcher = requireNonNull(dispatcher, "dispatcher");
  }

  /** Records a change; the first change of a burst starts the debounce window. */
  void add(RegistryChange change) {
    long now = ticker.read();
    synchronized (lock) {
      if (closed) {
        return;
      }
      services.addAll(change.changedServices());
      routes.addAll(change.changedRoutes());
      if (flush == null) {
        firstArrivalNanos = now;
        flush = scheduler.schedule(this::flush, debounceNanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  /** Drops what is pending and stops accepting changes. */
  void close() {
    synchronized (lock) {
      closed = true;
      if (flush != null) {
        flush.cancel(false);
        flush = null;
      }
      services = new HashSet<>();
      routes = new HashSet<>();
    }
  }

  private void flush() {
    Batch batch;
    synchronized (lock) {
      if (closed || flush == null) {
        return;
      }
      batch = new Batch(services, routes, firstArrivalNanos);
      services = new HashSet<>();
      routes = new HashSet<>();
      flush = null;
    }
    fanOutExecutor.execute(() -> dispatcher.accept(batch));
  }
}
