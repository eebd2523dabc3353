package io.weft.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.weft.mesh.v1.Instance;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Control-plane propagation benchmark: a real control plane in its own JVM, N simulated sidecars
 * (each a real discovery stream on its own connection), and a loop of registry changes at a fixed
 * rate. It measures the time from a change's Register/Deregister call to its arrival at each
 * subscribed sidecar, and at the last of them.
 */
@Command(
    name = "control-plane",
    mixinStandardHelpOptions = true,
    description = "Registry-change propagation to N sidecars; prints a markdown row.")
final class ControlPlaneBench implements Callable<Integer> {

  static final String HOT_SERVICE = "hot";

  /** Changes between adding an instance and removing it again (one second at 50/s). */
  private static final int REMOVE_AFTER = 50;

  /** How long deliveries may still arrive after the last change, before the replay. */
  private static final int SETTLE_SECONDS = 3;

  @Option(names = "--sidecars", defaultValue = "100", description = "Simulated sidecars (streams).")
  int sidecars;

  @Option(names = "--services", defaultValue = "1000", description = "Services registered.")
  int services;

  @Option(names = "--instances", defaultValue = "10000", description = "Instances registered.")
  int instances;

  @Option(
      names = "--subscriptions",
      defaultValue = "10",
      description = "Random services each sidecar subscribes to (all also subscribe to 'hot').")
  int subscriptions;

  @Option(names = "--changes", defaultValue = "600", description = "Changes in the measured loop.")
  int changes;

  @Option(names = "--rate", defaultValue = "50", description = "Changes per second.")
  int rate;

  @Option(
      names = "--hot-every",
      defaultValue = "10",
      description = "Every n-th change goes to 'hot', which every sidecar subscribes to.")
  int hotEvery;

  @Option(
      names = "--burst",
      defaultValue = "1",
      description = "Instances each change adds to (or removes from) one service at once, as a"
          + " rolling deployment does.")
  int burst;

  @Option(names = "--heap", defaultValue = "512m", description = "Control-plane -Xmx.")
  String heap;

  @Option(
      names = "--debounce",
      defaultValue = "10ms",
      description = "The control plane's --debounce (compare 0s, 10ms, 50ms).")
  String debounce;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed.")
  long seed;

  @Override
  public Integer call() throws Exception {
    Random random = new Random(seed);
    List<ManagedChannel> channels = new ArrayList<>();
    try (ControlPlaneProcess cp =
        ControlPlaneProcess.start(
            heap, List.of("--lease-ttl", "300s", "--warmup", "1s", "--debounce", debounce))) {
      ManagedChannel admin = channel(cp.grpcPort());
      channels.add(admin);
      InstanceLoader loader = new InstanceLoader(admin);

      long t0 = System.nanoTime();
      loader.registerAll(initialInstances());
      double registerSeconds = seconds(System.nanoTime() - t0);

      PropagationLedger ledger = new PropagationLedger();
      Map<String, Set<String>> subscribers = new HashMap<>();
      CountDownLatch synced = new CountDownLatch(sidecars);
      AtomicLong responses = new AtomicLong();
      List<SimulatedSidecar> streams = new ArrayList<>();
      t0 = System.nanoTime();
      for (int i = 0; i < sidecars; i++) {
        String node = "sidecar-" + i;
        List<String> names = new ArrayList<>(List.of(HOT_SERVICE));
        while (names.size() < subscriptions + 1) {
          String name = serviceName(random.nextInt(services));
          if (!names.contains(name)) {
            names.add(name);
          }
        }
        names.forEach(n -> subscribers.computeIfAbsent(n, k -> new HashSet<>()).add(node));
        SimulatedSidecar sidecar = new SimulatedSidecar(node, names, synced, responses);
        ManagedChannel channel = channel(cp.grpcPort());
        channels.add(channel);
        sidecar.start(channel);
        streams.add(sidecar);
      }
      if (!synced.await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException(synced.getCount() + " sidecars never got a first response");
      }
      double syncSeconds = seconds(System.nanoTime() - t0);
      loader.renewAll();

      List<String> subscribed = new ArrayList<>(subscribers.keySet());
      subscribed.remove(HOT_SERVICE);
      long responsesBefore = responses.get();
      long cpuAtHalf = 0;
      long nanosAtHalf = 0;
      Map<Boolean, ArrayDeque<Batch>> added =
          Map.of(true, new ArrayDeque<>(), false, new ArrayDeque<>());
      long loopStart = System.nanoTime();
      long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
      for (int k = 0; k < changes; k++) {
        long due = loopStart + k * intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        if (k == changes / 2) {
          cpuAtHalf = cp.cpuNanos();
          nanosAtHalf = System.nanoTime();
        }
        boolean hot = k % hotEvery == 0;
        String service = hot ? HOT_SERVICE : subscribed.get(random.nextInt(subscribed.size()));
        ArrayDeque<Batch> removable = added.get(hot);
        // Remove what was added at least REMOVE_AFTER changes ago (by then seen everywhere),
        // so that each addition and each removal is observable on its own.
        if (k % 2 == 1 && !removable.isEmpty() && k - removable.peek().change() >= REMOVE_AFTER) {
          Batch target = removable.poll();
          long start = System.nanoTime();
          for (String id : target.instanceIds()) {
            ledger.started(target.service(), id, false, subscribers.get(target.service()), hot, start);
          }
          loader.remove(target.service(), target.instanceIds());
        } else {
          List<Instance> batch = new ArrayList<>(burst);
          for (int b = 0; b < burst; b++) {
            batch.add(InstanceLoader.instance(service, "chg-" + k + "-" + b, instances + k * burst + b));
          }
          long start = System.nanoTime();
          for (Instance instance : batch) {
            ledger.started(service, instance.getInstanceId(), true, subscribers.get(service), hot, start);
          }
          loader.registerAll(batch);
          removable.add(new Batch(k, service, batch.stream().map(Instance::getInstanceId).toList()));
        }
      }
      double loopSeconds = seconds(System.nanoTime() - loopStart);
      double cpuShare = (double) (cp.cpuNanos() - cpuAtHalf) / (System.nanoTime() - nanosAtHalf);
      TimeUnit.SECONDS.sleep(SETTLE_SECONDS);
      long pushes = responses.get() - responsesBefore;
      streams.forEach(sidecar -> sidecar.replay(ledger));

      long heapUsed = cp.heapUsedBytes();
      long rss = cp.residentBytes();
      cp.collectGarbage();
      long heapLive = cp.heapUsedBytes();
      streams.forEach(SimulatedSidecar::close);
      loader.close();

      report(registerSeconds, syncSeconds, ledger, pushes / (loopSeconds + SETTLE_SECONDS),
          cpuShare, heapUsed, heapLive, rss);
      return ledger.pending() == 0 ? 0 : 1;
    } finally {
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  /** Instances one change added to one service. */
  private record Batch(int change, String service, List<String> instanceIds) {}

  private List<Instance> initialInstances() {
    List<Instance> all = new ArrayList<>(instances + 10);
    for (int i = 0; i < instances; i++) {
      all.add(InstanceLoader.instance(serviceName(i % services), "i-" + i, i));
    }
    for (int i = 0; i < 10; i++) {
      all.add(InstanceLoader.instance(HOT_SERVICE, "hot-" + i, instances + 100_000 + i));
    }
    return all;
  }

  private static String serviceName(int index) {
    return "svc-" + index;
  }

  /**
   * A connection of its own per simulated sidecar, as real sidecars have. Their callbacks are
   * cheap (a timestamp, a list append, an ACK), so they run on the transport's threads.
   */
  private static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .directExecutor()
        .maxInboundMessageSize(64 * 1024 * 1024)
        .build();
  }

  private void report(double registerSeconds, double syncSeconds, PropagationLedger ledger,
      double pushesPerSecond, double cpuShare, long heapUsed, long heapLive, long rss) {
    System.out.printf(Locale.ROOT,
        "registered %d instances in %d services in %.2f s; %d sidecars synced in %.2f s; "
            + "%d changes of %d instance(s) at %d/s; debounce %s%n",
        instances + 10, services + 1, registerSeconds, sidecars, syncSeconds, changes, burst, rate,
        debounce);
    System.out.printf(Locale.ROOT, "undelivered after %d s: %d changes; control-plane CPU in the"
        + " loop's second half: %.0f%% of one core%n", SETTLE_SECONDS, ledger.pending(),
        cpuShare * 100);
    System.out.println("| sidecars | change to | deliveries | to one sidecar p50 / p99 / max"
        + " | to every subscriber p50 / p99 / max | pushes/s | CP heap used / live (-Xmx" + heap
        + ") | CP RSS |");
    row("ordinary service", ledger.delivery(), ledger.complete(), pushesPerSecond, heapUsed,
        heapLive, rss);
    row("'hot' (all sidecars)", ledger.hotDelivery(), ledger.hotComplete(), pushesPerSecond,
        heapUsed, heapLive, rss);
  }

  private void row(String target, Histogram delivery, Histogram complete, double pushesPerSecond,
      long heapUsed, long heapLive, long rss) {
    System.out.printf(Locale.ROOT, "| %d | %s | %d | %s | %s | %.0f | %d / %d MiB | %d MiB |%n",
        sidecars, target, delivery.getTotalCount(), triple(delivery), triple(complete),
        pushesPerSecond, heapUsed >> 20, heapLive >> 20, rss >> 20);
  }

  private static String triple(Histogram h) {
    return String.format(Locale.ROOT, "%.1f / %.1f / %.1f ms",
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
        h.getMaxValue() / 1000.0);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
