package io.weft.controlplane.discovery;

import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.mesh.v1.DiscoveryServiceGrpc;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.KnownService;
import io.weft.mesh.v1.Node;
import io.weft.testing.FakeClock;
import java.net.InetSocketAddress;
import org.awaitility.core.ConditionFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A discovery server on a real Netty server on 127.0.0.1 (port 0), fed by a {@link FakeRegistry},
 * timed by a {@link FakeClock}, with one fan-out thread (so that batches are dispatched in order),
 * and real client streams.
 */
final class DiscoveryHarness {

  static final Duration DEBOUNCE = Duration.ofMillis(10);
  static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  final FakeClock clock = new FakeClock();
  final FakeRegistry registry = new FakeRegistry();
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final ExecutorService executor = Executors.newSingleThreadExecutor();
  final DiscoveryServer server;
  private final Server grpcServer;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final DiscoveryServiceGrpc.DiscoveryServiceStub stub;

  private DiscoveryHarness(Duration warmup) throws Exception {
    server =
        new DiscoveryServer(
            registry.snapshot(),
            clock.ticker(),
            clock.scheduler(),
            executor,
            DiscoveryOptions.of("cp-test")
                .withDebounce(DEBOUNCE)
                .withWarmup(warmup)
                .withClock(Clock.fixed(START, ZoneOffset.UTC)),
            meters);
    registry.addListener(server);
    grpcServer =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(server.serviceDefinition())
            .build()
            .start();
    stub = DiscoveryServiceGrpc.newStub(channel(0));
  }

  /** A harness without warm-up. */
  static DiscoveryHarness start() throws Exception {
    return new DiscoveryHarness(Duration.ZERO);
  }

  static DiscoveryHarness withWarmup(Duration warmup) throws Exception {
    return new DiscoveryHarness(warmup);
  }

  TestSidecar sidecar(String nodeId) {
    return new TestSidecar(stub, node(nodeId), Map.of(), false);
  }

  TestSidecar sidecar(String nodeId, Map<String, KnownService> initialState) {
    return new TestSidecar(stub, node(nodeId), initialState, false);
  }

  /**
   * A sidecar on its own channel with a small HTTP/2 window that reads nothing until it calls
   * {@link TestSidecar#request}.
   */
  TestSidecar slowSidecar(String nodeId, int flowControlWindow) {
    return new TestSidecar(
        DiscoveryServiceGrpc.newStub(channel(flowControlWindow)), node(nodeId), Map.of(), true);
  }

  long register(Instance instance) {
    return registry.register(instance);
  }

  long remove(String service, String instanceId) {
    return registry.remove(service, instanceId);
  }

  /** Moves the fake clock past the debounce window, so that pending changes are fanned out. */
  void passDebounce() {
    clock.forward(DEBOUNCE.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Waits until the named sidecar's status satisfies {@code condition}. */
  SidecarStatus awaitSidecar(String nodeId, Predicate<SidecarStatus> condition) {
    return awaitUpTo20Seconds()
        .until(() -> sidecarStatus(nodeId).filter(condition), Optional::isPresent)
        .orElseThrow();
  }

  /** Waits until the named sidecar is no longer connected. */
  void awaitGone(String nodeId) {
    awaitUpTo20Seconds().until(() -> sidecarStatus(nodeId).isEmpty());
  }

  /** Awaitility polling every 5 ms for at most 20 s. */
  static ConditionFactory awaitUpTo20Seconds() {
    return await()
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5))
        .atMost(Duration.ofSeconds(20));
  }

  Optional<SidecarStatus> sidecarStatus(String nodeId) {
    return server.status().sidecars().stream().filter(s -> s.nodeId().equals(nodeId)).findFirst();
  }

  /** Ends every stream, the server, the channels and the fan-out thread. */
  void close() throws InterruptedException {
    server.close();
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
    grpcServer.shutdownNow();
    for (ManagedChannel channel : channels) {
      channel.awaitTermination(10, TimeUnit.SECONDS);
    }
    grpcServer.awaitTermination(10, TimeUnit.SECONDS);
    executor.shutdownNow();
    executor.awaitTermination(10, TimeUnit.SECONDS);
  }

  private ManagedChannel channel(int flowControlWindow) {
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.getPort()).usePlaintext();
    if (flowControlWindow > 0) {
      builder.flowControlWindow(flowControlWindow);
    }
    ManagedChannel channel = builder.build();
    channels.add(channel);
    return channel;
  }

  private static Node node(String nodeId) {
    return Node.newBuilder().setId(nodeId).setZone("zone-a").build();
  }
}
