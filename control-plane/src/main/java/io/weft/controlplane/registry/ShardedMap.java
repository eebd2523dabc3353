package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable map that shares structure with the maps it was derived from: entries live in 64
 * shards by key hash, and {@link #with}/{@link #without} copy only the shard array and the one
 * shard they touch. Registry snapshots use it so that a change to one service costs
 * O(shards + services / shards) instead of copying every service.
 */
final class ShardedMap<K, V> extends AbstractMap<K, V> {

  private static final int SHARDS = 64;
  private static final ShardedMap<?, ?> EMPTY = new ShardedMap<>(new Map<?, ?>[SHARDS], 0);

  private final Map<K, V>[] shards;
  private final int size;

  private ShardedMap(Map<?, ?>[] shards, int size) {
    @SuppressWarnings("unchecked")
    Map<K, V>[] typed = (Map<K, V>[]) shards;
    this.shards = typed;
    this.size = size;
  }

  @SuppressWarnings("unchecked")
  static <K, V> ShardedMap<K, V> empty() {
    return (ShardedMap<K, V>) EMPTY;
  }

  /** This map with {@code key} mapped to {@code value}. */
  ShardedMap<K, V> with(K key, V value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    int index = indexOf(key);
    Map<K, V> shard = shards[index];
    HashMap<K, V> copy = shard == null ? new HashMap<>(4) : new HashMap<>(shard);
    boolean added = copy.put(key, value) == null;
    return replace(index, copy, added ? size + 1 : size);
  }

  /** This map without {@code key}. */
  ShardedMap<K, V> without(K key) {
    int index = indexOf(key);
    Map<K, V> shard = shards[index];
    if (shard == null || !shard.containsKey(key)) {
      return this;
    }
    HashMap<K, V> copy = new HashMap<>(shard);
    copy.remove(key);
    return replace(index, copy.isEmpty() ? null : copy, size - 1);
  }

  private ShardedMap<K, V> replace(int index, Map<K, V> shard, int newSize) {
    Map<?, ?>[] copy = shards.clone();
    copy[index] = shard == null ? null : Collections.unmodifiableMap(shard);
    return new ShardedMap<>(copy, newSize);
  }

  @Override
  public V get(Object key) {
    Map<K, V> shard = key == null ? null : shards[indexOf(key)];
    return shard == null ? null : shard.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    Map<K, V> shard = key == null ? null : shards[indexOf(key)];
    return shard != null && shard.containsKey(key);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Set<Entry<K, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<K, V>> iterator() {
        return new EntryIterator();
      }

      @Override
      public int size() {
        return size;
      }
    };
  }

  private static int indexOf(Object key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (SHARDS - 1);
  }

  private final class EntryIterator implements Iterator<Entry<K, V>> {
    private int nextShard;
    private Iterator<Entry<K, V>> current = Collections.emptyIterator();

    @Override
    public boolean hasNext() {
      while (!current.hasNext()) {
        if (nextShard == SHARDS) {
          return false;
        }
        Map<K, V> shard = shards[nextShard++];
        if (shard != null) {
          current = shard.entrySet().iterator();
        }
      }
      return true;
    }

    @Override
    public Entry<K, V> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return current.next();
    }
  }
}
