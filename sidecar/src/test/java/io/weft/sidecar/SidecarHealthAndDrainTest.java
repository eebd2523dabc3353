package io.weft.sidecar;

import static io.weft.sidecar.TestMesh.BOUND;
import static io.weft.sidecar.TestMesh.SERVICE;
import static io.weft.sidecar.TestMesh.answeredBy;
import static io.weft.sidecar.TestMesh.call;
import static io.weft.sidecar.WhoAmIApp.HOLD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.weft.mesh.v1.HealthStatus;
import io.weft.sidecar.AdminClient.Reply;
import io.weft.sidecar.agent.AgentState;
import io.weft.sidecar.balancer.ClusterStats.EndpointSnapshot;
import io.weft.sidecar.balancer.ClusterStats.ServiceSnapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Health changes and drains through sidecars wired for real, in process: a small control plane,
 * three apps each behind a full sidecar, and a client sidecar the test calls through, all on
 * loopback; a new mesh for each test.
 */
class SidecarHealthAndDrainTest {

  private TestMesh mesh;
  private ManagedChannel byAuthority;

  @BeforeEach
  void setUp() throws IOException {
    mesh = TestMesh.start(3);
    byAuthority = NettyChannelBuilder.forAddress("127.0.0.1", mesh.client.outboundPort())
        .overrideAuthority(SERVICE)
        .usePlaintext()
        .build();
    awaitClientConnectedToAll(3);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    byAuthority.shutdownNow();
    byAuthority.awaitTermination(10, TimeUnit.SECONDS);
    mesh.close();
  }

  @Test
  void appTurningNotServing_stopsGettingCalls() {
    mesh.apps.get(1).serving(false);

    await().atMost(BOUND).until(() -> health("echo-2") == HealthStatus.NOT_SERVING);
    List<String> answeredBy = IntStream.range(0, 60)
        .mapToObj(i -> answeredBy(call(byAuthority))).toList();

    assertThat(answeredBy).doesNotContain("echo-2").contains("echo-1", "echo-3");
  }

  @Test
  void drain_viaAdmin_waitsForConfirmationAndInFlightCalls_thenRemovesTheInstance_withoutFailedCalls()
      throws Exception {
    Sidecar third = mesh.sidecars.get(2);
    WhoAmIApp thirdApp = mesh.apps.get(2);
    ManagedChannel toThird =
        NettyChannelBuilder.forAddress("127.0.0.1", third.inboundPort().getAsInt())
            .usePlaintext()
            .build();
    try (Load load = new Load(byAuthority)) {
      CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> call(toThird, HOLD));
      await().atMost(BOUND).until(() -> thirdApp.held() == 1 && load.succeeded() >= 20);

      CompletableFuture<Reply> drain = mesh.admin(third).send("/drain");

      await().atMost(BOUND).until(() -> health("echo-3") == HealthStatus.DRAINING);
      assertThat(mesh.admin(third).get("/ready").json().get("reason").asText())
          .isEqualTo("draining");
      await().atMost(BOUND).until(() -> !mesh.controlPlane.confirmations().isEmpty());
      assertThat(mesh.controlPlane.confirmations().get(0).getTimedOut()).isFalse();
      assertThat(IntStream.range(0, 30).mapToObj(i -> answeredBy(call(byAuthority))))
          .doesNotContain("echo-3");
      assertThat(drain).isNotDone();

      thirdApp.release();
      assertThat(held.get(BOUND.toSeconds(), TimeUnit.SECONDS)).startsWith("echo-3|");
      Reply drained = drain.get(BOUND.toSeconds(), TimeUnit.SECONDS);
      assertThat(drained.status()).isEqualTo(200);
      assertThat(drained.json().get("drained").asBoolean()).isTrue();
      assertThat(mesh.controlPlane.health(SERVICE)).containsOnlyKeys("echo-1", "echo-2");
      await().atMost(BOUND).until(() -> clientEndpoints().size() == 2);
      int before = load.succeeded();
      await().atMost(BOUND).until(() -> load.succeeded() >= before + 20);
      assertThat(load.failures()).isEmpty();
    } finally {
      toThird.shutdownNow();
    }
    assertThat(third.agentState().orElseThrow().phase()).isEqualTo(AgentState.Phase.STOPPED);
  }

  private void awaitClientConnectedToAll(int instances) {
    await().atMost(BOUND).until(() -> {
      call(byAuthority);
      return clientEndpoints().values().stream()
          .filter(e -> e.state() == ConnectivityState.READY).count() == instances;
    });
  }

  private Map<String, EndpointSnapshot> clientEndpoints() {
    Optional<ServiceSnapshot> echo = mesh.client.clusterStats().snapshot().stream()
        .filter(s -> s.service().equals(SERVICE)).findFirst();
    return echo.map(s -> s.endpoints().stream()
            .collect(Collectors.toMap(EndpointSnapshot::instanceId, Function.identity())))
        .orElse(Map.of());
  }

  /** The health of {@code instanceId} as the client's balancer sees it. */
  private HealthStatus health(String instanceId) {
    EndpointSnapshot endpoint = clientEndpoints().get(instanceId);
    return endpoint == null ? null : endpoint.health();
  }

  /** Calls in a loop on its own thread, one at a time, until closed; records failures. */
  private static final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger succeeded = new AtomicInteger();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;

    Load(ManagedChannel channel) {
      thread = new Thread(() -> {
        while (running.get()) {
          try {
            call(channel);
            succeeded.incrementAndGet();
          } catch (StatusRuntimeException e) {
            failures.add(e.getStatus().toString());
          }
        }
      }, "load");
      thread.start();
    }

    int succeeded() {
      return succeeded.get();
    }

    List<String> failures() {
      return List.copyOf(failures);
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(TimeUnit.SECONDS.toMillis(20));
    }
  }
}
