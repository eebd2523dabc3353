package io.weft.controlplane.registry;

/**
 * Watches registry changes. The registry calls its listeners once per change, in revision order,
 * from one thread at a time and never while holding its lock. A listener must return quickly and
 * never block: it records what changed and hands any real work to its own executor.
 */
@FunctionalInterface
public interface RegistryListener {

  /** Called after every change, in revision order. */
  void onChange(RegistryChange change);
}
