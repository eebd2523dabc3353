package io.weft.sidecar;

import static org.awaitility.Awaitility.await;

import com.google.common.net.HostAndPort;
import io.grpc.Channel;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.weft.common.BackoffOptions;
import io.weft.mesh.v1.HealthStatus;
import io.weft.sidecar.SidecarConfig.LocalApp;
import io.weft.sidecar.agent.testproto.EchoGrpc;
import io.weft.sidecar.agent.testproto.EchoMessage;
import io.weft.sidecar.balancer.ClusterStats.EndpointSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A whole mesh on loopback for the sidecar's integration tests: a {@link ControlPlaneFixture},
 * {@code n} {@link WhoAmIApp}s of the mesh service {@value #SERVICE}, each with a full {@link
 * Sidecar} (inbound proxy and registration agent), and a client sidecar with no app, plus a
 * channel the test calls through as the client's app would.
 */
final class TestMesh implements AutoCloseable {

  static final String SERVICE = "echo";
  static final Duration BOUND = Duration.ofSeconds(30);
  static final Metadata.Key<String> UPSTREAM =
      Metadata.Key.of("x-weft-upstream", Metadata.ASCII_STRING_MARSHALLER);

  /** Quick reconnects, so that a control-plane restart is noticed soon. */
  private static final BackoffOptions BACKOFF =
      new BackoffOptions(Duration.ofMillis(50), Duration.ofSeconds(1), 1.6, 0.2);

  ControlPlaneFixture controlPlane;
  final List<WhoAmIApp> apps = new ArrayList<>();
  final List<Sidecar> sidecars = new ArrayList<>();
  Sidecar client;
  /** A channel to the client's outbound proxy: calls routed by their gRPC service name. */
  ManagedChannel clientApp;
  /** A channel to the client's outbound proxy with {@code :authority} {@value #SERVICE}. */
  ManagedChannel byAuthority;

  /** Starts the control plane, {@code instances} apps with their sidecars and the client. */
  static TestMesh start(int instances) throws IOException {
    TestMesh mesh = new TestMesh();
    try {
      mesh.controlPlane = ControlPlaneFixture.start("cp-1");
      for (int i = 1; i <= instances; i++) {
        WhoAmIApp app = new WhoAmIApp(SERVICE + "-" + i);
        mesh.apps.add(app);
        mesh.sidecars.add(Sidecar.start(mesh.appSidecarConfig(app)));
      }
      mesh.client = Sidecar.start(mesh.base().identity("caller", "caller-1").build());
      mesh.clientApp = NettyChannelBuilder.forAddress("127.0.0.1", mesh.client.outboundPort())
          .usePlaintext()
          .build();
      mesh.byAuthority = NettyChannelBuilder.forAddress("127.0.0.1", mesh.client.outboundPort())
          .overrideAuthority(SERVICE)
          .usePlaintext()
          .build();
      mesh.awaitServing(instances);
      mesh.awaitClientConnectedTo(instances);
    } catch (IOException | RuntimeException | Error e) {
      mesh.close();
      throw e;
    }
    return mesh;
  }

  private SidecarConfig.Builder base() {
    return SidecarConfig.builder()
        .controlPlane(HostAndPort.fromString(controlPlane.target()))
        .outbound("127.0.0.1", 0)
        .admin("127.0.0.1", 0)
        .backoff(BACKOFF);
  }

  private SidecarConfig appSidecarConfig(WhoAmIApp app) {
    return base()
        .identity(SERVICE, app.id())
        .app(LocalApp.builder("127.0.0.1", app.port())
            .inbound("127.0.0.1", 0)
            .advertise("127.0.0.1", 0)
            .build())
        .build();
  }

  /** Waits until {@code instances} instances serve and every sidecar is ready. */
  void awaitServing(int instances) {
    await().atMost(BOUND).until(() ->
        controlPlane.health(SERVICE).values().stream().filter(HealthStatus.SERVING::equals).count()
            == instances
        && sidecars.stream().allMatch(Sidecar::isReady)
        && client.isReady());
  }

  /** Calls until the client's balancer has a READY connection to {@code instances} instances. */
  void awaitClientConnectedTo(int instances) {
    await().atMost(BOUND).until(() -> {
      call(byAuthority);
      return clientEndpoints().values().stream()
          .filter(e -> e.state() == ConnectivityState.READY).count() == instances;
    });
  }

  /** The endpoints of {@value #SERVICE} as the client's balancer sees them, by instance id. */
  Map<String, EndpointSnapshot> clientEndpoints() {
    return client.clusterStats().snapshot().stream()
        .filter(s -> s.service().equals(SERVICE))
        .findFirst()
        .map(s -> s.endpoints().stream()
            .collect(Collectors.toMap(EndpointSnapshot::instanceId, Function.identity())))
        .orElse(Map.of());
  }

  /** The health of {@code instanceId} as the client's balancer sees it; null if it has none. */
  HealthStatus clientHealth(String instanceId) {
    EndpointSnapshot endpoint = clientEndpoints().get(instanceId);
    return endpoint == null ? null : endpoint.health();
  }

  AdminClient admin(Sidecar sidecar) {
    return new AdminClient(sidecar.adminPort());
  }

  /**
   * One Echo call through {@code channel} (a channel to the client's outbound proxy).
   *
   * @return the answering app's id and the {@code x-weft-upstream} header, as {@code id|header}
   */
  static String call(Channel channel) {
    return call(channel, "who");
  }

  /** A {@link #call(Channel)} with the given request text. */
  static String call(Channel channel, String text) {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    EchoMessage answer = EchoGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withInterceptors(
            MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()))
        .echo(EchoMessage.newBuilder().setText(text).build());
    return answer.getText() + "|" + headers.get().get(UPSTREAM);
  }

  /** The app id of a {@link #call} result. */
  static String answeredBy(String callResult) {
    return callResult.substring(0, callResult.indexOf('|'));
  }

  @Override
  public void close() {
    for (ManagedChannel channel : new ManagedChannel[] {clientApp, byAuthority}) {
      if (channel != null) {
        channel.shutdownNow();
      }
    }
    List<Sidecar> all = new ArrayList<>(sidecars);
    if (client != null) {
      all.add(client);
    }
    all.parallelStream().forEach(Sidecar::close);
    for (WhoAmIApp app : apps) {
      try {
        app.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (controlPlane != null) {
      try {
        controlPlane.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
