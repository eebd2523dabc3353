package io.weft.bench;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.weft.demo.helloworld.GreeterGrpc;
import io.weft.demo.helloworld.HelloRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Proxy benchmark: the same greeter reached directly, through nginx {@code grpc_pass}, through a
 * weft sidecar's outbound proxy (one hop, as nginx), and through two sidecars (outbound, then the
 * callee's inbound: the default mesh path). Three floors run beside them: {@link BareGrpcRelay},
 * the least a relay at grpc-java's call layer does, which separates weft's own cost from
 * grpc-java's; {@link FrameUpstreamRelay}, the same with HTTP/2 frames towards the upstream instead
 * of a grpc-java client call; and {@link NettyFrameRelay}, frames on both sides with no grpc-java
 * at all, as nginx relays: what relaying below the call layer could save. Every process runs on
 * this machine's loopback, all measured in one run so that their ratios compare.
 */
@Command(
    name = "proxy",
    mixinStandardHelpOptions = true,
    description = "Added latency and throughput of the sidecar vs direct vs nginx; prints markdown.")
final class ProxyBench implements Callable<Integer> {

  private static final String GREETER = "io.weft.demo.DemoMain";
  private static final String SIDECAR = "io.weft.sidecar.SidecarMain";
  private static final String BARE_RELAY = "io.weft.bench.BareGrpcRelay";
  private static final String FRAME_RELAY = "io.weft.bench.FrameUpstreamRelay";
  private static final String NETTY_RELAY = "io.weft.bench.NettyFrameRelay";
  private static final String SIDECAR_READY =
      "ready to serve: outbound=[^ ]+:(\\d+) inbound=\\S+ admin=[^ ]+:(\\d+)";

  /** Seconds each path is called, unmeasured, before any measurement: every JIT is warm. */
  private static final int WARMUP_SECONDS = 10;

  /** The ways a call reaches the greeter, in the report's order. */
  enum Route {
    direct("direct"),
    nginx("nginx grpc_pass"),
    bare("grpc-java bare relay (floor, see BareGrpcRelay)"),
    frames("grpc-java server + Netty frames upstream (floor, see FrameUpstreamRelay)"),
    netty("Netty frame relay, no grpc-java (floor, see NettyFrameRelay)"),
    weft("weft sidecar (outbound only)"),
    other("weft sidecar of --other-sidecar-jar (outbound only)"),
    mesh("weft mesh path (outbound + inbound)");

    final String label;

    Route(String label) {
      this.label = label;
    }
  }

  @Option(names = "--paths", split = ",", defaultValue = "bare,frames,netty,weft,mesh",
      description = "Paths measured besides the baselines direct and nginx, comma-separated. "
          + "Valid: ${COMPLETION-CANDIDATES}.")
  Set<Route> paths;

  @Option(names = "--rate", defaultValue = "1000", description = "Calls/s for the latency runs.")
  int rate;

  @Option(names = "--latency-seconds", defaultValue = "10", description = "Measured seconds per latency run.")
  int latencySeconds;

  @Option(names = "--rounds", defaultValue = "3",
      description = "Latency rounds, each of every path; pooled, and compared round by round.")
  int rounds;

  @Option(names = "--interleave", defaultValue = "paths",
      description = "How a latency round shares the machine between the paths: paths (each path "
          + "on its own at --rate, one after the other) or calls (every path in turn, call by "
          + "call, in a random order each turn, --rate calls/s in all: every call finds the "
          + "caches the other paths left). Valid: ${COMPLETION-CANDIDATES}.")
  Interleave interleave;

  @Option(names = "--rewarm-seconds", defaultValue = "5",
      description = "Unmeasured seconds of calls at the start of each round (of each path's "
          + "part of it with --interleave paths).")
  int rewarmSeconds;

  @Option(names = "--throughput-seconds", defaultValue = "15", description = "Seconds per h2load run.")
  int throughputSeconds;

  @Option(names = "--connections", defaultValue = "4", description = "h2load connections.")
  int connections;

  @Option(names = "--streams", defaultValue = "32", description = "h2load streams per connection.")
  int streams;

  @Option(names = "--nginx-workers", defaultValue = "2", description = "nginx worker processes.")
  int nginxWorkers;

  @Option(names = "--sidecar-jvm-option", description = "Extra JVM option for the sidecars; repeatable.")
  List<String> sidecarJvmOptions = new ArrayList<>();

  @Option(names = "--other-sidecar-jar",
      description = "Another build's sidecar.jar (say, of the commit before a change, built in a "
          + "git worktree): adds the path 'other', a client sidecar of that build measured in the "
          + "same rounds, and compares weft with it round by round.")
  Path otherSidecarJar;

  @Option(names = "--other-sidecar-jvm-option",
      description = "Extra JVM option for the sidecar of --other-sidecar-jar only, after those of "
          + "--sidecar-jvm-option (to compare JVM settings, name this build's own sidecar.jar "
          + "there); repeatable.")
  List<String> otherSidecarJvmOptions = new ArrayList<>();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (paths.contains(Route.other)) {
      throw new ParameterException(spec.commandLine(), "--paths: 'other' is not a path to list: "
          + "it is measured when --other-sidecar-jar names another build's sidecar.jar");
    }
    if (!otherSidecarJvmOptions.isEmpty() && otherSidecarJar == null) {
      throw new ParameterException(spec.commandLine(), "--other-sidecar-jvm-option needs "
          + "--other-sidecar-jar: it sets the JVM of that sidecar only");
    }
    try (ServiceProcess greeter = ServiceProcess.start("greeter", ServiceProcess.SERVER_JVM, GREETER,
            List.of("server", "--port", "0", "--instance-id", "bench-1"), "listening on .*:(\\d+)$");
        ControlPlaneProcess cp = ControlPlaneProcess.start("256m", List.of());
        ServiceProcess oneHop = sidecar("sidecar-greeter", cp, List.of("--service", "greeter",
            "--instance-id", "bench-1", "--app-port", Integer.toString(greeter.port(1)),
            "--inbound-port", "-1", "--advertise-address", "127.0.0.1",
            "--advertise-port", Integer.toString(greeter.port(1))));
        ServiceProcess twoHop = sidecar("sidecar-greeter-inbound", cp, List.of("--service",
            "greeter-inbound", "--instance-id", "bench-1", "--app-port",
            Integer.toString(greeter.port(1)), "--inbound-port", "0",
            "--advertise-address", "127.0.0.1"));
        ServiceProcess client = sidecar("sidecar-client", cp, List.of("--service", "bench-client"));
        ServiceProcess otherClient = otherSidecarJar == null ? null : otherSidecar(cp);
        NginxProcess nginx = NginxProcess.start(greeter.port(1), nginxWorkers);
        ServiceProcess bareRelay = ServiceProcess.start("bare-relay", ServiceProcess.FLOOR_JVM,
            BARE_RELAY, List.of(Integer.toString(greeter.port(1))), "listening on .*:(\\d+)$");
        ServiceProcess frameRelay = ServiceProcess.start("frame-relay", ServiceProcess.FLOOR_JVM,
            FRAME_RELAY, List.of(Integer.toString(greeter.port(1))), "listening on .*:(\\d+)$");
        ServiceProcess nettyRelay = ServiceProcess.start("netty-relay", ServiceProcess.FLOOR_JVM,
            NETTY_RELAY, List.of(Integer.toString(greeter.port(1))), "listening on .*:(\\d+)$")) {
      int outbound = client.port(1);
      awaitServing(outbound, "greeter");
      awaitServing(outbound, "greeter-inbound");
      awaitServing(nginx.port(), null);
      awaitServing(bareRelay.port(1), null);
      awaitServing(frameRelay.port(1), null);
      awaitServing(nettyRelay.port(1), null);
      long idleRss = client.residentBytes();

      Map<Route, LatencyProbe.Target> all = new EnumMap<>(Route.class);
      all.put(Route.direct, new LatencyProbe.Target(greeter.port(1), null));
      all.put(Route.nginx, new LatencyProbe.Target(nginx.port(), null));
      all.put(Route.bare, new LatencyProbe.Target(bareRelay.port(1), null));
      all.put(Route.frames, new LatencyProbe.Target(frameRelay.port(1), null));
      all.put(Route.netty, new LatencyProbe.Target(nettyRelay.port(1), null));
      all.put(Route.weft, new LatencyProbe.Target(outbound, "greeter"));
      all.put(Route.mesh, new LatencyProbe.Target(outbound, "greeter-inbound"));
      if (otherClient != null) {
        awaitServing(otherClient.port(1), "greeter");
        all.put(Route.other, new LatencyProbe.Target(otherClient.port(1), "greeter"));
      }
      Map<Route, LatencyProbe.Target> targets = new EnumMap<>(Route.class);
      all.forEach((route, target) -> {
        if (route == Route.direct || route == Route.nginx || route == Route.other
            || paths.contains(route)) {
          targets.put(route, target);
        }
      });

      for (LatencyProbe.Target target : targets.values()) {
        LatencyProbe.run(target, rate, Duration.ofSeconds(WARMUP_SECONDS), Duration.ofSeconds(1));
      }
      // Interleaved rounds, pooled: a slow spell of the machine weighs on every path alike.
      Map<Route, LatencyProbe.Result> latency = new EnumMap<>(Route.class);
      Map<Route, List<Long>> roundP50s = new EnumMap<>(Route.class);
      for (int round = 0; round < rounds; round++) {
        latencyRound(targets).forEach((route, result) -> {
          latency.merge(route, result, LatencyProbe.Result::plus);
          roundP50s.computeIfAbsent(route, k -> new ArrayList<>()).add(Math.round(result.p50()));
        });
      }
      Map<Route, H2Load.Result> throughput = new EnumMap<>(Route.class);
      AtomicLong loadedRss = new AtomicLong();
      for (Map.Entry<Route, LatencyProbe.Target> target : targets.entrySet()) {
        boolean weft = target.getKey() == Route.weft || target.getKey() == Route.mesh;
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        if (weft) {
          sampler.scheduleAtFixedRate(() -> sampleRss(client, loadedRss), 1, 1, TimeUnit.SECONDS);
        }
        try {
          throughput.put(target.getKey(), H2Load.run(target.getValue().port(),
              target.getValue().authority(), connections, streams, throughputSeconds));
        } finally {
          sampler.shutdownNow();
        }
      }
      report(latency, roundP50s, throughput, idleRss, loadedRss.get(), nginx.residentBytes());
      return 0;
    }
  }

  /** How a latency round shares the machine between the paths. */
  enum Interleave {
    /**
     * Every path is called in turn, call by call, {@code --rate} calls/s in all: whatever else the
     * machine does in a round weighs on every path alike.
     */
    calls,
    /** Each path is called on its own at {@code --rate}, one path after the other. */
    paths
  }

  /** One latency round of every path, as {@code --interleave} says; results by path. */
  private Map<Route, LatencyProbe.Result> latencyRound(Map<Route, LatencyProbe.Target> targets)
      throws InterruptedException {
    Duration rewarm = Duration.ofSeconds(rewarmSeconds);
    Duration measured = Duration.ofSeconds(latencySeconds);
    Map<Route, LatencyProbe.Result> results = new EnumMap<>(Route.class);
    if (interleave == Interleave.calls) {
      List<LatencyProbe.Result> all =
          LatencyProbe.run(List.copyOf(targets.values()), rate, rewarm, measured);
      int i = 0;
      for (Route route : targets.keySet()) {
        results.put(route, all.get(i++));
      }
      return results;
    }
    for (Map.Entry<Route, LatencyProbe.Target> target : targets.entrySet()) {
      results.put(target.getKey(), LatencyProbe.run(target.getValue(), rate, rewarm, measured));
    }
    return results;
  }

  private ServiceProcess sidecar(String name, ControlPlaneProcess cp, List<String> flags) {
    List<String> args = new ArrayList<>(flags);
    args.addAll(List.of("--control-plane", "127.0.0.1:" + cp.grpcPort(),
        "--outbound-port", "0", "--admin-port", "0"));
    return ServiceProcess.start(name, sidecarJvm(List.of()), SIDECAR, args, SIDECAR_READY);
  }

  /**
   * A client-only sidecar of {@code --other-sidecar-jar}, with this build's flags and JVM, plus
   * {@code --other-sidecar-jvm-option}.
   */
  private ServiceProcess otherSidecar(ControlPlaneProcess cp) {
    return ServiceProcess.startFrom("sidecar-other", otherSidecarJar,
        sidecarJvm(otherSidecarJvmOptions), SIDECAR,
        List.of("--service", "bench-other-client", "--control-plane",
            "127.0.0.1:" + cp.grpcPort(), "--outbound-port", "0", "--admin-port", "0"),
        SIDECAR_READY);
  }

  /** A sidecar's JVM options, then {@code --sidecar-jvm-option}'s, then {@code extra}. */
  private List<String> sidecarJvm(List<String> extra) {
    List<String> jvm = new ArrayList<>(ServiceProcess.SIDECAR_JVM);
    jvm.addAll(sidecarJvmOptions);
    jvm.addAll(extra);
    return jvm;
  }

  private static void sampleRss(ServiceProcess process, AtomicLong max) {
    try {
      max.accumulateAndGet(process.residentBytes(), Math::max);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the sidecar's RSS", e);
    }
  }

  /** Waits until a call through {@code port} succeeds: the route and endpoints are in place. */
  private static void awaitServing(int port, String authority) throws InterruptedException {
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext();
    if (authority != null) {
      builder.overrideAuthority(authority);
    }
    ManagedChannel channel = builder.build();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          GreeterGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
              .sayHello(HelloRequest.newBuilder().setName("probe").build());
          return;
        } catch (StatusRuntimeException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("nothing serves through port " + port + ": " + e, e);
          }
          TimeUnit.MILLISECONDS.sleep(100);
        }
      }
    } finally {
      channel.shutdownNow();
    }
  }

  private void report(Map<Route, LatencyProbe.Result> latency, Map<Route, List<Long>> roundP50s,
      Map<Route, H2Load.Result> throughput,
      long idleRss, long loadedRss, long nginxRss) throws IOException {
    System.out.println("machine: " + machine());
    System.out.println("sidecar JVM options: " + ServiceProcess.SIDECAR_JVM + " " + sidecarJvmOptions);
    if (otherSidecarJar != null) {
      System.out.println("other sidecar's extra JVM options: " + otherSidecarJvmOptions);
    }
    System.out.println("floor JVM options: " + ServiceProcess.FLOOR_JVM);
    String schedule = interleave == Interleave.calls
        ? "%d calls/s in all, every path in turn call by call, in %d rounds of %d s, pooled"
        : "%d calls/s per path, in %d rounds of %d s per path, paths one after the other, pooled";
    System.out.printf(Locale.ROOT, "latency: open loop at " + schedule + " (every path first "
        + "warmed %d s on its own, then again %d s before each round); "
        + "throughput: h2load -t 1 -c %d -m %d for %d s after 2 s warm-up%n",
        rate, rounds, latencySeconds, WARMUP_SECONDS, rewarmSeconds, connections, streams,
        throughputSeconds);
    System.out.println();
    System.out.println("| path | p50 µs | p90 µs | p99 µs | max µs | added p50 vs direct | "
        + "p50 per round µs | errors | throughput req/s | vs direct | vs nginx |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    LatencyProbe.Result direct = latency.get(Route.direct);
    double directRps = throughput.get(Route.direct).requestsPerSecond();
    double nginxRps = throughput.get(Route.nginx).requestsPerSecond();
    for (Route route : latency.keySet()) {
      LatencyProbe.Result l = latency.get(route);
      H2Load.Result t = throughput.get(route);
      System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %+.0f µs | %s "
              + "| %d (h2load %d) | %.0f | %.2f | %.2f |%n",
          route.label, l.p50(), l.p90(), l.p99(), l.max(), l.p50() - direct.p50(),
          roundP50s.get(route).stream().map(String::valueOf).collect(Collectors.joining(", ")),
          l.errors(), t.failed(),
          t.requestsPerSecond(), t.requestsPerSecond() / directRps, t.requestsPerSecond() / nginxRps);
    }
    System.out.println();
    for (Route route : List.of(Route.weft, Route.other, Route.netty)) {
      if (roundP50s.containsKey(route)) {
        System.out.println(PairedDifference.of(roundP50s.get(route), roundP50s.get(Route.nginx))
            .describe(route.label, "nginx"));
      }
    }
    if (roundP50s.containsKey(Route.weft) && roundP50s.containsKey(Route.other)) {
      System.out.println(PairedDifference.of(roundP50s.get(Route.weft), roundP50s.get(Route.other))
          .describe(Route.weft.label, "the sidecar of " + otherSidecarJar));
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "client sidecar RSS: idle %d MiB, under load (max) %d MiB; "
        + "nginx RSS (master + workers) %d MiB%n", idleRss >> 20, loadedRss >> 20, nginxRss >> 20);
  }

  private static String machine() throws IOException {
    String model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
        .filter(l -> l.startsWith("model name")).findFirst()
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
    return Runtime.getRuntime().availableProcessors() + " cores (" + model + "), Java "
        + System.getProperty("java.version");
  }
}
