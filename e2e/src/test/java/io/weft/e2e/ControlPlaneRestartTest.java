package io.weft.e2e;

import static io.weft.e2e.GreeterMesh.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.weft.e2e.AcceptedResponses.EndpointSet;
import io.weft.e2e.GreeterCalls.Answer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Static stability with real processes: the control plane is killed (SIGKILL) under steady load
 * and a new one starts on the same port; no call fails, no caller's endpoint set ever shrinks, and
 * every sidecar re-registers and re-subscribes by itself.
 */
class ControlPlaneRestartTest {

  private static final List<String> INSTANCES = List.of("greeter-1", "greeter-2", "greeter-3");
  private static final List<String> SIDECARS =
      List.of("client-1", "greeter-1", "greeter-2", "greeter-3");

  private GreeterMesh mesh;

  @BeforeEach
  void startMesh() {
    mesh = GreeterMesh.start(INSTANCES.size());
  }

  @AfterEach
  void stopMesh() {
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  void controlPlaneKilledAndRestarted_underLoad_noCallFailsAndNoEndpointSetShrinks() {
    callOutFromEveryGreeterSidecar();
    await().atMost(BOUND).until(() -> subscribedToGreeter(mesh.controlPlane().admin()),
        SIDECARS::equals);
    GreeterLoad load = GreeterLoad.start(mesh.channel(), 100);
    try {
      load.awaitAnswered(100);

      mesh.killControlPlane();
      await().atMost(BOUND).until(() -> !discovery(mesh.client()).get("connected").asBoolean());
      load.awaitAnsweredSince(System.nanoTime(), 100);
      mesh.restartControlPlane("cp-2");

      AdminHttp restarted = mesh.controlPlane().admin();
      await().atMost(BOUND).until(() -> GreeterMesh.registered(restarted),
          GreeterMesh.servingView(INSTANCES)::equals);
      await().atMost(BOUND).until(() -> subscribedToGreeter(restarted), SIDECARS::equals);
      await().atMost(BOUND).until(() -> synced(restarted), SIDECARS::equals);
      JsonNode discovery = discovery(mesh.client());
      assertThat(discovery.get("connected").asBoolean()).isTrue();
      assertThat(discovery.get("controlPlaneId").asText()).isEqualTo("cp-2");
      load.awaitAnsweredSince(System.nanoTime(), 100);
    } finally {
      load.close();
    }

    assertThat(load.failures()).isEmpty();
    assertThat(load.answers()).allSatisfy(answer ->
        assertThat(answer.headerMatchesReply()).as("%s", answer).isTrue());
    assertThat(load.okByInstance(answer -> true)).containsOnlyKeys(INSTANCES);
    List<MeshProcess.Line> clientLog = mesh.client().process().lines();
    assertThat(AcceptedResponses.controlPlanes(clientLog)).contains("cp-1", "cp-2");
    List<EndpointSet> sets = AcceptedResponses.of(GreeterMesh.SERVICE, clientLog);
    System.out.println("e2e endpoint sets the client accepted: " + sets);
    assertThat(sets).first().satisfies(first -> {
      assertThat(first.instances()).isEqualTo(3);
      assertThat(first.serving()).isEqualTo(3);
    });
    for (int i = 1; i < sets.size(); i++) {
      EndpointSet previous = sets.get(i - 1);
      EndpointSet next = sets.get(i);
      assertThat(next.instances()).as("instances in %s after %s", next, previous)
          .isGreaterThanOrEqualTo(previous.instances());
      assertThat(next.serving()).as("SERVING in %s after %s", next, previous)
          .isGreaterThanOrEqualTo(previous.serving());
    }
  }

  /** One call through each greeter's own sidecar, so that each subscribes to greeter too. */
  private void callOutFromEveryGreeterSidecar() {
    for (String id : INSTANCES) {
      ManagedChannel channel = GreeterCalls.channel(
          mesh.instance(id).sidecar().outboundPort(), GreeterMesh.SERVICE);
      try {
        Answer answer = GreeterCalls.sayHelloNow(channel, "from-" + id);
        assertThat(answer.ok()).as("%s", answer).isTrue();
      } finally {
        channel.shutdownNow();
      }
    }
  }

  /** Instance ids of the sidecars the control plane lists as subscribed to greeter. */
  private static List<String> subscribedToGreeter(AdminHttp controlPlane) {
    return sidecars(controlPlane).entrySet().stream()
        .filter(entry -> StreamSupport.stream(
                entry.getValue().get("subscribedServices").spliterator(), false)
            .anyMatch(service -> service.asText().equals(GreeterMesh.SERVICE)))
        .map(Map.Entry::getKey)
        .toList();
  }

  /** Instance ids of the sidecars that ACKed the last response the control plane sent them. */
  private static List<String> synced(AdminHttp controlPlane) {
    return sidecars(controlPlane).entrySet().stream()
        .filter(entry -> entry.getValue().get("sync").asText().equals("SYNCED"))
        .map(Map.Entry::getKey)
        .toList();
  }

  private static Map<String, JsonNode> sidecars(AdminHttp controlPlane) {
    Map<String, JsonNode> byInstance = new TreeMap<>();
    for (JsonNode sidecar : controlPlane.json("/v1/sidecars").get("sidecars")) {
      byInstance.put(sidecar.get("instanceId").asText(), sidecar);
    }
    return byInstance;
  }

  private static JsonNode discovery(SidecarProcess sidecar) {
    return sidecar.admin().json("/config_dump").get("discovery");
  }
}
