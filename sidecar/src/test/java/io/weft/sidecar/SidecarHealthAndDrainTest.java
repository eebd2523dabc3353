package io.weft.sidecar;

import static io.weft.sidecar.TestMesh.BOUND;
import static io.weft.sidecar.TestMesh.SERVICE;
import static io.weft.sidecar.TestMesh.answeredBy;
import static io.weft.sidecar.TestMesh.call;
import static io.weft.sidecar.WhoAmIApp.HOLD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.weft.mesh.v1.HealthStatus;
import io.weft.sidecar.AdminClient.Reply;
import io.weft.sidecar.agent.AgentState;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

  @BeforeEach
  void setUp() throws IOException {
    mesh = TestMesh.start(3);
  }

  @AfterEach
  void tearDown() {
    mesh.close();
  }

  @Test
  void appTurningNotServing_stopsGettingCalls() {
    mesh.apps.get(1).serving(false);

    await().atMost(BOUND).until(() -> mesh.clientHealth("echo-2") == HealthStatus.NOT_SERVING);
    List<String> answeredBy = IntStream.range(0, 60)
        .mapToObj(i -> answeredBy(call(mesh.byAuthority))).toList();

    assertThat(answeredBy).doesNotContain("echo-2").contains("echo-1", "echo-3");
  }

  @Test
  void drain_waitsForConfirmationAndInFlightCalls_thenRemovesTheInstance_withoutFailedCalls()
      throws Exception {
    Sidecar third = mesh.sidecars.get(2);
    WhoAmIApp thirdApp = mesh.apps.get(2);
    ManagedChannel toThird =
        NettyChannelBuilder.forAddress("127.0.0.1", third.inboundPort().getAsInt())
            .usePlaintext()
            .build();
    try (CallLoad load = new CallLoad(mesh.byAuthority)) {
      CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> call(toThird, HOLD));
      await().atMost(BOUND).until(() -> thirdApp.held() == 1 && load.succeeded() >= 20);

      CompletableFuture<Reply> drain = mesh.admin(third).send("/drain");

      await().atMost(BOUND).until(() -> mesh.clientHealth("echo-3") == HealthStatus.DRAINING);
      assertThat(mesh.admin(third).get("/ready").json().get("reason").asText())
          .isEqualTo("draining");
      await().atMost(BOUND).until(() -> !mesh.controlPlane.confirmations().isEmpty());
      assertThat(mesh.controlPlane.confirmations().get(0).getTimedOut()).isFalse();
      assertThat(IntStream.range(0, 30).mapToObj(i -> answeredBy(call(mesh.byAuthority))))
          .doesNotContain("echo-3");
      assertThat(drain).isNotDone();

      thirdApp.release();
      assertThat(held.get(BOUND.toSeconds(), TimeUnit.SECONDS)).startsWith("echo-3|");
      Reply drained = drain.get(BOUND.toSeconds(), TimeUnit.SECONDS);
      assertThat(drained.status()).isEqualTo(200);
      assertThat(drained.json().get("drained").asBoolean()).isTrue();
      assertThat(mesh.controlPlane.health(SERVICE)).containsOnlyKeys("echo-1", "echo-2");
      await().atMost(BOUND).until(() -> mesh.clientEndpoints().size() == 2);
      int before = load.succeeded();
      await().atMost(BOUND).until(() -> load.succeeded() >= before + 20);
      assertThat(load.failures()).isEmpty();
    } finally {
      toThird.shutdownNow();
    }
    assertThat(third.agentState().orElseThrow().phase()).isEqualTo(AgentState.Phase.STOPPED);
  }
}
