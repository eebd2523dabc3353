package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.weft.sidecar.discovery.EndpointSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latest state of the names the router looks up (mesh services, or gRPC service routes), each
 * kept current by an open watch on the {@link EndpointSource}. The first lookup of a name opens its
 * watch and completes when the first update (or error) arrives, or with UNAVAILABLE when none has
 * arrived within the answer timeout; later lookups complete at once with the latest state (until
 * the first answer, that is the timeout error). At most {@code capacity} names are watched: the
 * least recently looked up is evicted and its watch closed. Reading the state of a watched name
 * ({@link #latest}) takes no lock.
 *
 * @param <T> the watched resource
 */
final class WatchedNames<T> {

  /** Opens a watch of one name: {@code EndpointSource::watchService} or {@code ::watchRoute}. */
  @FunctionalInterface
  interface WatchOpener<T> {
    EndpointSource.Watch open(String name, EndpointSource.Watcher<T> watcher);
  }

  /** What is known of a name: the latest accepted resource, else the error the source gave. */
  record Lookup<T>(T resource, Status error) {}

  private final WatchOpener<T> opener;
  private final int capacity;
  private final ScheduledExecutorService scheduler;
  private final Duration answerTimeout;
  private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong lookups = new AtomicLong();
  // Guarded by this.
  private boolean closed;

  WatchedNames(
      WatchOpener<T> opener,
      int capacity,
      ScheduledExecutorService scheduler,
      Duration answerTimeout) {
    this.opener = requireNonNull(opener, "opener");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
    }
    this.capacity = capacity;
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.answerTimeout = requireNonNull(answerTimeout, "answerTimeout");
  }

  /**
   * The state of {@code name}: completed at once when known, else when the first update or error
   * arrives (never completed exceptionally). Callers must not complete the returned future.
   */
  CompletableFuture<Lookup<T>> lookup(String name) {
    requireNonNull(name, "name");
    Lookup<T> known = latest(name);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    Entry entry;
    boolean created = false;
    Entry evicted = null;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.completedFuture(
            new Lookup<>(null, Status.UNAVAILABLE.withDescription("the proxy is shutting down")));
      }
      entry = entries.get(name);
      if (entry == null) {
        entry = new Entry(name);
        entries.put(name, entry);
        created = true;
        if (entries.size() > capacity) {
          evicted = leastRecentlyLookedUp(entry);
          entries.remove(evicted.name, evicted);
        }
      }
      entry.lastLookup = lookups.incrementAndGet();
    }
    if (evicted != null) {
      evicted.detach(
          "the watch of " + evicted.name + " was closed: more than " + capacity + " names watched");
    }
    if (created) {
      open(entry);
    }
    Lookup<T> latest = entry.latest;
    return latest != null ? CompletableFuture.completedFuture(latest) : entry.first;
  }

  /**
   * The latest state of {@code name} when it is watched and has been answered, else null (then
   * {@link #lookup} opens the watch or waits for its answer). Counts as a lookup of the name.
   */
  Lookup<T> latest(String name) {
    Entry entry = entries.get(name);
    if (entry == null) {
      return null;
    }
    entry.lastLookup = lookups.incrementAndGet();
    return entry.latest;
  }

  /** The watched name looked up least recently, other than {@code added}. */
  private Entry leastRecentlyLookedUp(Entry added) {
    Entry eldest = null;
    for (Entry entry : entries.values()) {
      if (entry != added && (eldest == null || entry.lastLookup < eldest.lastLookup)) {
        eldest = entry;
      }
    }
    return eldest;
  }

  private void open(Entry entry) {
    entry.timer =
        scheduler.schedule(entry::onNoAnswer, answerTimeout.toNanos(), TimeUnit.NANOSECONDS);
    EndpointSource.Watch watch;
    try {
      watch = opener.open(entry.name, entry);
    } catch (RuntimeException e) {
      synchronized (this) {
        entries.remove(entry.name, entry);
      }
      entry.onError(
          Status.UNAVAILABLE
              .withDescription("watching " + entry.name + " failed: " + e.getMessage())
              .withCause(e));
      return;
    }
    entry.attach(watch);
  }

  /** Number of names watched now. */
  synchronized int size() {
    return entries.size();
  }

  /** Closes every watch; later lookups complete with UNAVAILABLE. */
  void close() {
    List<Entry> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(entries.values());
      entries.clear();
    }
    for (Entry entry : all) {
      entry.detach("the proxy is shutting down");
    }
  }

  /**
   * One watched name; the source calls it one update at a time. {@code latest} changes under the
   * entry's lock (the source and the answer timer race); {@code first} completes outside it.
   */
  private final class Entry implements EndpointSource.Watcher<T> {
    private final String name;
    private final CompletableFuture<Lookup<T>> first = new CompletableFuture<>();
    private volatile Lookup<T> latest;
    private volatile ScheduledFuture<?> timer;
    // Written by every lookup, without a lock: an approximate order is enough for eviction.
    private volatile long lastLookup;
    // Guarded by WatchedNames.this.
    private EndpointSource.Watch watch;
    private boolean detached;

    Entry(String name) {
      this.name = name;
    }

    @Override
    public void onUpdate(T resource) {
      answered(new Lookup<>(resource, null));
    }

    @Override
    public void onError(Status status) {
      Lookup<T> current = latest;
      if (current != null && current.resource() != null) {
        return; // ambient: keep the last update
      }
      answered(new Lookup<>(null, status));
    }

    private void answered(Lookup<T> lookup) {
      synchronized (this) {
        latest = lookup;
      }
      first.complete(lookup);
      cancelTimer();
    }

    void onNoAnswer() {
      Lookup<T> lookup =
          new Lookup<>(
              null,
              Status.UNAVAILABLE.withDescription(
                  "no answer from the control plane within " + answerTimeout.toMillis() + " ms"));
      synchronized (this) {
        if (latest != null) {
          return;
        }
        latest = lookup;
      }
      first.complete(lookup);
    }

    private void cancelTimer() {
      ScheduledFuture<?> scheduled = timer;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
    }

    void attach(EndpointSource.Watch opened) {
      synchronized (WatchedNames.this) {
        if (!detached) {
          watch = opened;
          return;
        }
      }
      opened.close();
    }

    void detach(String why) {
      EndpointSource.Watch toClose;
      synchronized (WatchedNames.this) {
        detached = true;
        toClose = watch;
        watch = null;
      }
      if (toClose != null) {
        toClose.close();
      }
      cancelTimer();
      first.complete(new Lookup<>(null, Status.UNAVAILABLE.withDescription(why)));
    }
  }
}
