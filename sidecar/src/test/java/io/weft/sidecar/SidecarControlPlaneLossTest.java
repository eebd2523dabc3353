package io.weft.sidecar;

import static io.weft.sidecar.TestMesh.BOUND;
import static io.weft.sidecar.TestMesh.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.ServiceEndpoints;
import io.weft.sidecar.agent.AgentState;
import io.weft.sidecar.discovery.EndpointSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Static stability: the control plane goes away under load and comes back on the same port; the
 * sidecars keep serving with what they hold and reconnect, re-register and re-subscribe by
 * themselves.
 */
class SidecarControlPlaneLossTest {

  private final List<ServiceEndpoints> clientUpdates = new CopyOnWriteArrayList<>();
  private TestMesh mesh;
  private EndpointSource.Watch watch;

  @BeforeEach
  void setUp() throws IOException {
    mesh = TestMesh.start(3);
    watch = mesh.client.endpoints().watchService(SERVICE, new EndpointSource.Watcher<>() {
      @Override
      public void onUpdate(ServiceEndpoints endpoints) {
        clientUpdates.add(endpoints);
      }

      @Override
      public void onError(Status status) {}
    });
  }

  @AfterEach
  void tearDown() {
    watch.close();
    mesh.close();
  }

  @Test
  void controlPlaneLost_sidecarsKeepServing_thenReconnectReregisterAndResubscribe()
      throws Exception {
    int port = mesh.controlPlane.port();
    try (CallLoad load = new CallLoad(mesh.byAuthority)) {
      await().atMost(BOUND).until(() -> load.succeeded() >= 20 && !clientUpdates.isEmpty());

      mesh.controlPlane.close();

      await().atMost(BOUND).until(() -> !discovery(mesh.client).get("connected").asBoolean());
      int whileLost = load.succeeded();
      await().atMost(BOUND).until(() -> load.succeeded() >= whileLost + 50);
      for (Sidecar sidecar : everySidecar()) {
        assertThat(mesh.admin(sidecar).get("/ready").status()).isEqualTo(200);
      }

      mesh.controlPlane = ControlPlaneFixture.restart("cp-2", port);

      await().atMost(BOUND).until(() -> mesh.controlPlane.health(SERVICE).values().stream()
          .filter(HealthStatus.SERVING::equals).count() == 3);
      await().atMost(BOUND).until(() ->
          mesh.controlPlane.subscribedAndAcked(mesh.client.config().nodeId(), SERVICE));
      JsonNode discovery = discovery(mesh.client);
      assertThat(discovery.get("connected").asBoolean()).isTrue();
      assertThat(discovery.get("controlPlaneId").asText()).isEqualTo("cp-2");
      assertThat(discovery.get("counts").get("reconnects").asLong()).isPositive();
      await().atMost(BOUND).until(() -> mesh.sidecars.stream().allMatch(sidecar ->
          sidecar.agentState().orElseThrow().phase() == AgentState.Phase.REGISTERED));
      int afterRestart = load.succeeded();
      await().atMost(BOUND).until(() -> load.succeeded() >= afterRestart + 20);
      assertThat(load.failures()).isEmpty();
    }
    assertThat(clientUpdates).allSatisfy(endpoints ->
        assertThat(endpoints.getInstancesList()).hasSize(3)
            .allSatisfy(instance ->
                assertThat(instance.getHealth()).isEqualTo(HealthStatus.SERVING)));
  }

  private List<Sidecar> everySidecar() {
    List<Sidecar> all = new ArrayList<>(mesh.sidecars);
    all.add(mesh.client);
    return all;
  }

  private JsonNode discovery(Sidecar sidecar) {
    return mesh.admin(sidecar).get("/config_dump").json().get("discovery");
  }
}
