package io.weft.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.weft.controlplane.discovery.TestSidecar;
import io.weft.controlplane.registration.KeepAliveClient;
import io.weft.mesh.v1.DiscoveryServiceGrpc;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.KnownService;
import io.weft.mesh.v1.Node;
import io.weft.mesh.v1.RegisterRequest;
import io.weft.mesh.v1.RegisterResponse;
import io.weft.mesh.v1.RegistrationServiceGrpc;
import io.weft.testing.FakeClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A whole {@link ControlPlane} started in-process on 127.0.0.1 (ports 0) and timed by a {@link
 * FakeClock}, with real gRPC clients over Netty and an HTTP client for the admin port.
 */
final class TestControlPlane implements AutoCloseable {

  static final Duration DEBOUNCE = Duration.ofMillis(10);
  static final Duration LEASE_TTL = Duration.ofSeconds(10);
  static final Duration DRAIN_CONFIRM_TIMEOUT = Duration.ofSeconds(5);

  private static final ObjectMapper JSON = new ObjectMapper();

  final FakeClock clock = new FakeClock();
  final ControlPlane controlPlane;
  private final ManagedChannel channel;
  private final List<ManagedChannel> extraChannels = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  private TestControlPlane(String id, Duration warmup) throws Exception {
    ControlPlaneConfig config =
        ControlPlaneConfig.builder(id)
            .bindAddress("127.0.0.1")
            .grpcPort(0)
            .adminPort(0)
            .leaseTtl(LEASE_TTL)
            .debounce(DEBOUNCE)
            .warmup(warmup)
            .drainConfirmTimeout(DRAIN_CONFIRM_TIMEOUT)
            .build();
    controlPlane = new ControlPlane(config, clock.ticker(), clock.scheduler()).start();
    channel = newChannel();
  }

  /** A control plane without warm-up. */
  static TestControlPlane start(String id) throws Exception {
    return new TestControlPlane(id, Duration.ZERO);
  }

  /** A control plane that has just (re)started, with a warm-up window. */
  static TestControlPlane startWithWarmup(String id, Duration warmup) throws Exception {
    return new TestControlPlane(id, warmup);
  }

  RegisterResponse register(Instance instance) {
    return register(RegisterRequest.newBuilder().setInstance(instance).setNodeId(nodeOf(instance)));
  }

  RegisterResponse register(RegisterRequest.Builder request) {
    return registration().register(request.build());
  }

  RegistrationServiceGrpc.RegistrationServiceBlockingStub registration() {
    return RegistrationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  /** The shared client connection to the gRPC port. */
  ManagedChannel channel() {
    return channel;
  }

  KeepAliveClient keepAlive() {
    return new KeepAliveClient(RegistrationServiceGrpc.newStub(channel));
  }

  /** A discovery client on its own connection. */
  TestSidecar sidecar(String nodeId) {
    return sidecar(nodeId, Map.of());
  }

  /** A reconnecting discovery client that reports what it holds on its first request. */
  TestSidecar sidecar(String nodeId, Map<String, KnownService> initialState) {
    ManagedChannel own = newChannel();
    extraChannels.add(own);
    return new TestSidecar(
        DiscoveryServiceGrpc.newStub(own),
        Node.newBuilder().setId(nodeId).setZone("zone-a").build(),
        initialState,
        false);
  }

  /** Moves the fake clock past the debounce window, so that pending changes are pushed. */
  void passDebounce() {
    clock.forward(DEBOUNCE.toNanos(), TimeUnit.NANOSECONDS);
  }

  void forward(Duration duration) {
    clock.forward(duration.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** GET on the admin port. */
  HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(adminUri(path)).GET());
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(
        request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** GET on the admin port, expecting 200 and a JSON body. */
  JsonNode getJson(String path) throws Exception {
    HttpResponse<String> response = get(path);
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    return JSON.readTree(response.body());
  }

  static JsonNode parse(String body) throws Exception {
    return JSON.readTree(body);
  }

  URI adminUri(String path) {
    return URI.create("http://127.0.0.1:" + controlPlane.adminPort() + path);
  }

  /** Closes every client connection, then the control plane. */
  @Override
  public void close() {
    List<ManagedChannel> all = new ArrayList<>(extraChannels);
    all.add(channel);
    all.forEach(ManagedChannel::shutdownNow);
    try {
      for (ManagedChannel c : all) {
        c.awaitTermination(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      controlPlane.close();
    }
  }

  private ManagedChannel newChannel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", controlPlane.grpcPort())
        .usePlaintext()
        .build();
  }

  private static String nodeOf(Instance instance) {
    return "node-" + instance.getInstanceId();
  }
}
