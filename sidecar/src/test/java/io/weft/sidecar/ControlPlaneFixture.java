package io.weft.sidecar;

import com.google.common.base.Ticker;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.controlplane.discovery.DiscoveryOptions;
import io.weft.controlplane.discovery.DiscoveryServer;
import io.weft.controlplane.registration.RegistrationServiceImpl;
import io.weft.controlplane.registry.PropagationTracker;
import io.weft.controlplane.registry.Registry;
import io.weft.controlplane.registry.RegistryOptions;
import io.weft.mesh.v1.DrainConfirmation;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A small control plane for the sidecar's integration tests, from the merged control-plane parts:
 * a {@link Registry}, the {@link DiscoveryServer} and the {@link RegistrationServiceImpl} on one
 * Netty server on 127.0.0.1, with real time. Records every drain confirmation it hands out.
 */
final class ControlPlaneFixture implements AutoCloseable {

  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
  private final Registry registry =
      new Registry(RegistryOptions.defaults(), Ticker.systemTicker(), scheduler,
          new SimpleMeterRegistry());
  private final DiscoveryServer discovery;
  private final RegistrationServiceImpl registration;
  private final List<DrainConfirmation> confirmations = new CopyOnWriteArrayList<>();
  private final Server server;

  private ControlPlaneFixture(String id, int port, Duration warmup) throws IOException {
    discovery = new DiscoveryServer(registry.snapshot(), Ticker.systemTicker(), scheduler,
        scheduler, DiscoveryOptions.of(id).withWarmup(warmup), new SimpleMeterRegistry());
    registry.addListener(discovery);
    PropagationTracker recording = (service, revision, bound, callback) ->
        discovery.whenAcknowledged(service, revision, bound, confirmation -> {
          confirmations.add(confirmation);
          callback.accept(confirmation);
        });
    registration = new RegistrationServiceImpl(
        registry, recording, RegistrationServiceImpl.DEFAULT_DRAIN_CONFIRM_TIMEOUT);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .addService(discovery.serviceDefinition())
        .addService(registration)
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .build()
        .start();
  }

  /**
   * A control plane {@code id} on a free port, without the restart warm-up (a first start has
   * nothing to rebuild), so that it answers names nobody serves at once.
   */
  static ControlPlaneFixture start(String id) throws IOException {
    return new ControlPlaneFixture(id, 0, Duration.ZERO);
  }

  /**
   * A control plane {@code id} on {@code port}, the port of one that stopped, with the default
   * warm-up, as a restarted control plane runs.
   */
  static ControlPlaneFixture restart(String id, int port) throws IOException {
    return new ControlPlaneFixture(id, port, DiscoveryOptions.DEFAULT_WARMUP);
  }

  int port() {
    return server.getPort();
  }

  String target() {
    return "127.0.0.1:" + port();
  }

  /** The instances of {@code service} by instance id, with their health. */
  Map<String, HealthStatus> health(String service) {
    return registry.snapshot().service(service).instances().stream()
        .collect(Collectors.toMap(Instance::getInstanceId, Instance::getHealth));
  }

  /** The instances of {@code service}. */
  List<Instance> instances(String service) {
    return registry.snapshot().service(service).instances();
  }

  /** Whether sidecar {@code nodeId} is connected, subscribed to {@code service} and has ACKed. */
  boolean subscribedAndAcked(String nodeId, String service) {
    return discovery.status().sidecars().stream()
        .anyMatch(sidecar -> sidecar.nodeId().equals(nodeId)
            && sidecar.subscribedServices().contains(service)
            && !sidecar.lastAckedVersion().isEmpty());
  }

  /** Every drain confirmation handed out so far. */
  List<DrainConfirmation> confirmations() {
    return List.copyOf(confirmations);
  }

  /** Stops the server at once (streams fail) and everything behind it. */
  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
    discovery.close();
    registration.close();
    registry.close();
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
  }

}
