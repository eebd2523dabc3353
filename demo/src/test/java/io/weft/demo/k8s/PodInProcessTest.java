package io.weft.demo.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.weft.controlplane.ControlPlane;
import io.weft.demo.GreeterServer;
import io.weft.demo.k8s.ComponentCli.Component;
import io.weft.demo.k8s.ComponentCli.Listener;
import io.weft.sidecar.Sidecar;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every pod of the manifests, run in process on loopback from its containers' own args (ports
 * moved to free ones, the control plane at its loopback address): each probe and hook the
 * manifests declare passes against the real servers, and the grace periods cover the real drain
 * bounds.
 */
class PodInProcessTest {

  /** Time the kubelet and the JVMs need beyond the components' own bounds. */
  private static final Duration MARGIN = Duration.ofSeconds(5);

  private static final Duration AWAIT = Duration.ofSeconds(30);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final Deque<AutoCloseable> running = new ArrayDeque<>();
  /** Per Deployment: each port the manifests name, to the port bound in this test. */
  private final Map<String, Map<Integer, Integer>> ports = new HashMap<>();
  private final Map<String, Sidecar> sidecars = new HashMap<>();
  private ScheduledExecutorService scheduler;
  private ControlPlane controlPlane;

  @BeforeEach
  void startEveryPod() throws IOException {
    scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "greeter-streams");
      thread.setDaemon(true);
      return thread;
    });
    List<Deployment> deployments = new ArrayList<>(Manifests.deployments());
    deployments.sort(Comparator.comparing(d -> !d.getMetadata().getName()
        .equals("weft-control-plane")));
    for (Deployment deployment : deployments) {
      startPod(deployment);
    }
  }

  @AfterEach
  void stopEveryPod() throws Exception {
    while (!running.isEmpty()) {
      running.pop().close();
    }
    scheduler.shutdownNow();
    assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void everyProbe_passes_againstTheRealServers() {
    List<String> checked = new ArrayList<>();
    for (PodContainer c : PodContainer.all().toList()) {
      ManifestCliTest.probes(c.container()).forEach((kind, probe) -> {
        int port = boundPort(c, probePort(c, probe));
        await().atMost(AWAIT).untilAsserted(() -> assertProbePasses(probe, port));
        checked.add(c + " " + kind);
      });
    }

    assertThat(checked).contains("greeter/greeter readinessProbe",
        "greeter/sidecar readinessProbe", "weft-control-plane/control-plane livenessProbe");
  }

  @Test
  void preStopHooks_drainTheRealSidecar_allAtOnceAsTheKubeletCallsThem() throws Exception {
    awaitEveryPodReady();
    Map<String, CompletableFuture<HttpResponse<String>>> calls = new LinkedHashMap<>();
    for (PodContainer c : PodContainer.all().toList()) {
      var hook = ManifestCliTest.hooks(c.container()).get("preStop");
      if (hook != null) {
        HTTPGetAction get = hook.getHttpGet();
        calls.put(c.toString(), sendGet(boundPort(c, c.resolve(get.getPort()).getAsInt()),
            get.getPath()));
      }
    }

    assertThat(calls).containsKeys("greeter/greeter", "greeter/sidecar");
    for (var call : calls.entrySet()) {
      HttpResponse<String> response = call.getValue().get(60, TimeUnit.SECONDS);
      assertThat(response.statusCode()).as("%s preStop: %s", call.getKey(), response.body())
          .isEqualTo(200);
      assertThat(response.body()).containsPattern("\"drained\"\\s*:\\s*true");
    }
    assertThat(get(sidecars.get("greeter").adminPort(), "/ready").statusCode()).isEqualTo(503);
  }

  @Test
  void greeterSidecar_registersThePodByName_inTheZoneOfItsLabel() {
    String podName = Manifests.podName(Manifests.deployment("greeter"));

    await().atMost(AWAIT).untilAsserted(() -> {
      HttpResponse<String> services = get(controlPlane.adminPort(), "/v1/services/greeter");
      assertThat(services.statusCode()).isEqualTo(200);
      assertThat(services.body()).contains("\"" + podName + "\"")
          .contains("\"" + PodEnvironment.ZONE + "\"");
    });
  }

  @Test
  void terminationGracePeriod_coversTheSidecarsDrain_thenTheAppsShutdown() {
    assertThat(sidecars).containsKeys("greeter", "greeter-client");
    sidecars.forEach((name, sidecar) -> {
      Deployment deployment = Manifests.deployment(name);
      Duration appShutdown = deployment.getSpec().getTemplate().getSpec().getContainers().stream()
          .map(container -> Manifests.cli(deployment, container))
          .filter(cli -> cli.component() == Component.GREETER_SERVER)
          .map(cli -> cli.<Duration>value("--shutdown-grace"))
          .max(Comparator.naturalOrder())
          .orElse(Duration.ZERO);
      long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();

      assertThat(Duration.ofSeconds(grace))
          .as("%s terminationGracePeriodSeconds vs drain %s + app shutdown %s + margin %s", name,
              sidecar.drainBound(), appShutdown, MARGIN)
          .isGreaterThanOrEqualTo(sidecar.drainBound().plus(appShutdown).plus(MARGIN));
    });
  }

  private void startPod(Deployment deployment) throws IOException {
    Map<Integer, Integer> podPorts = new HashMap<>();
    List<Container> containers = new ArrayList<>(
        deployment.getSpec().getTemplate().getSpec().getContainers());
    containers.sort(Comparator.comparing(
        c -> Manifests.cli(deployment, c).component() == Component.SIDECAR));
    Integer appPort = null;
    for (Container container : containers) {
      ComponentCli manifest = Manifests.cli(deployment, container);
      Map<String, Integer> bound = new HashMap<>();
      switch (manifest.component()) {
        case CONTROL_PLANE -> {
          ControlPlane started = ControlPlane.create(Manifests.cli(deployment, container, Map.of(
                  "--port", "0", "--admin-port", "0", "--bind-address", "127.0.0.1"))
              .controlPlaneConfig()).start();
          running.push(started);
          controlPlane = started;
          bound.put("--port", started.grpcPort());
          bound.put("--admin-port", started.adminPort());
        }
        case GREETER_SERVER -> {
          GreeterServer greeter = new GreeterServer(
              "127.0.0.1", 0, manifest.value("--instance-id"), scheduler).start();
          running.push(() -> greeter.shutdown(Duration.ZERO));
          appPort = greeter.port();
          bound.put("--port", greeter.port());
        }
        case SIDECAR -> {
          Map<String, String> overrides = new HashMap<>(Map.of(
              "--control-plane", "127.0.0.1:" + controlPlane.grpcPort(),
              "--outbound-port", "0", "--inbound-port", "0", "--admin-port", "0",
              "--advertise-address", "127.0.0.1"));
          if (manifest.sidecarConfig().app() != null) {
            overrides.put("--app-port", String.valueOf(appPort));
          }
          Sidecar sidecar = Sidecar.start(
              Manifests.cli(deployment, container, overrides).sidecarConfig());
          running.push(sidecar);
          sidecars.put(deployment.getMetadata().getName(), sidecar);
          bound.put("--admin-port", sidecar.adminPort());
          bound.put("--outbound-port", sidecar.outboundPort());
          sidecar.inboundPort().ifPresent(port -> bound.put("--inbound-port", port));
        }
        case GREETER_CLIENT -> { }
        default -> throw new AssertionError(manifest.component());
      }
      for (Listener listener : manifest.listeners()) {
        podPorts.put(listener.port(), bound.get(listener.flag()));
      }
    }
    ports.put(deployment.getMetadata().getName(), podPorts);
  }

  private void awaitEveryPodReady() {
    for (PodContainer c : PodContainer.all().toList()) {
      Probe readiness = c.container().getReadinessProbe();
      if (readiness != null) {
        int port = boundPort(c, probePort(c, readiness));
        await().atMost(AWAIT).untilAsserted(() -> assertProbePasses(readiness, port));
      }
    }
  }

  private void assertProbePasses(Probe probe, int port) throws Exception {
    if (probe.getHttpGet() != null) {
      HttpResponse<String> response = get(port, probe.getHttpGet().getPath());
      assertThat(response.statusCode()).as("GET %s: %s", probe.getHttpGet().getPath(),
          response.body()).isEqualTo(200);
    } else if (probe.getGrpc() != null) {
      String service = probe.getGrpc().getService() == null ? "" : probe.getGrpc().getService();
      assertThat(healthCheck(port, service)).isEqualTo(ServingStatus.SERVING);
    } else {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      }
    }
  }

  private static ServingStatus healthCheck(int port, String service) throws InterruptedException {
    ManagedChannel channel = Grpc.newChannelBuilderForAddress(
        "127.0.0.1", port, InsecureChannelCredentials.create()).build();
    try {
      return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService(service).build())
          .getStatus();
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static int probePort(PodContainer c, Probe probe) {
    if (probe.getHttpGet() != null) {
      return c.resolve(probe.getHttpGet().getPort()).orElseThrow();
    }
    if (probe.getGrpc() != null) {
      return probe.getGrpc().getPort();
    }
    return c.resolve(probe.getTcpSocket().getPort()).orElseThrow();
  }

  private int boundPort(PodContainer c, int manifestPort) {
    Integer port = ports.get(c.deployment().getMetadata().getName()).get(manifestPort);
    assertThat(port).as("%s: port %s is no listener of the pod", c, manifestPort).isNotNull();
    return port;
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return sendGet(port, path).get(60, TimeUnit.SECONDS);
  }

  private CompletableFuture<HttpResponse<String>> sendGet(int port, String path) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60))
        .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }
}
