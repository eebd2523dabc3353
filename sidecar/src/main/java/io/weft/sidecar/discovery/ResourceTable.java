package io.weft.sidecar.discovery;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import io.grpc.Status;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The watched names of one resource kind, their watches and the last accepted value of each.
 * A name is held while at least one watch of it is open; when the last one closes the name and
 * its value are forgotten. Used from the discovery client's synchronization context only.
 */
final class ResourceTable<T> {

  private final ResourceKind kind;
  private final Map<String, Entry<T>> entries = new HashMap<>();

  ResourceTable(ResourceKind kind) {
    this.kind = requireNonNull(kind, "kind");
  }

  ResourceKind kind() {
    return kind;
  }

  /**
   * Adds a watch and tells it at once what is held: the value, or {@code ambientError} when there
   * is no value and the control plane is out of reach (null when it is not).
   *
   * @return true if the name was not watched before, so that it must be subscribed
   */
  boolean add(WatchHandle<T> watch, Status ambientError) {
    Entry<T> entry = entries.get(watch.name());
    boolean added = entry == null;
    if (added) {
      entry = new Entry<>();
      entries.put(watch.name(), entry);
    }
    entry.watches.add(watch);
    if (entry.value != null) {
      watch.deliverUpdate(entry.value);
    } else if (ambientError != null) {
      watch.deliverError(ambientError);
    }
    return added;
  }

  /**
   * Removes a watch.
   *
   * @return true if it was the name's last watch, so that the name must be unsubscribed
   */
  boolean remove(WatchHandle<T> watch) {
    Entry<T> entry = entries.get(watch.name());
    if (entry == null || !entry.watches.remove(watch) || !entry.watches.isEmpty()) {
      return false;
    }
    entries.remove(watch.name());
    return true;
  }

  /** Whether anyone watches the name. */
  boolean isWatched(String name) {
    return entries.containsKey(name);
  }

  /**
   * Stores an accepted value of a watched name and tells its watches if it changed; a name nobody
   * watches is ignored.
   *
   * @return true if the name is watched and its value changed
   */
  boolean update(String name, T value) {
    Entry<T> entry = entries.get(name);
    if (entry == null || value.equals(entry.value)) {
      return false;
    }
    entry.value = value;
    for (WatchHandle<T> watch : List.copyOf(entry.watches)) {
      watch.deliverUpdate(value);
    }
    return true;
  }

  /** Tells the watches of every name without a value about an error; values are kept. */
  void failUnresolved(Status status) {
    for (String name : List.copyOf(entries.keySet())) {
      failIfUnresolved(name, status);
    }
  }

  /** Tells the watches of the name about an error if it has no value. */
  void failIfUnresolved(String name, Status status) {
    Entry<T> entry = entries.get(name);
    if (entry == null || entry.value != null) {
      return;
    }
    for (WatchHandle<T> watch : List.copyOf(entry.watches)) {
      watch.deliverError(status);
    }
  }

  /** Every watched name. */
  ImmutableSortedSet<String> names() {
    return ImmutableSortedSet.copyOf(entries.keySet());
  }

  /** Every watched name that has a value, with the value. */
  ImmutableSortedMap<String, T> values() {
    ImmutableSortedMap.Builder<String, T> values = ImmutableSortedMap.naturalOrder();
    entries.forEach(
        (name, entry) -> {
          if (entry.value != null) {
            values.put(name, entry.value);
          }
        });
    return values.build();
  }

  private static final class Entry<T> {
    final Set<WatchHandle<T>> watches = new LinkedHashSet<>();
    T value;
  }
}
