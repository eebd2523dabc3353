package io.weft.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.weft.controlplane.discovery.TestSidecar;
import io.weft.controlplane.registry.TestRequests;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.KnownService;
import io.weft.mesh.v1.ServiceEndpoints;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Restart safety end to end (istio#25100): a sidecar holds a service's endpoints from control
 * plane A; A goes away; a fresh, empty control plane B must tell the reconnecting sidecar nothing
 * about that service until its instances have registered again or B's warm-up has passed — never
 * an empty or partial set.
 */
class ControlPlaneRestartTest {

  private static final Duration WARMUP = Duration.ofSeconds(5);

  private TestControlPlane first;
  private TestControlPlane restarted;
  private List<Instance> held;

  @BeforeEach
  void holdGreeterFromTheFirstControlPlane() throws Exception {
    first = TestControlPlane.start("cp-a");
    first.register(TestRequests.instance("greeter", "greeter-1"));
    first.register(TestRequests.instance("greeter", "greeter-2"));
    TestSidecar sidecar = first.sidecar("sidecar-a");
    sidecar.subscribe("greeter");
    DiscoveryResponse response = sidecar.next();
    held = response.getServices(0).getInstancesList();
    assertThat(held).extracting(Instance::getInstanceId).containsExactly("greeter-1", "greeter-2");
    sidecar.ack(response);

    first.close();

    Status ended = sidecar.awaitClosed();
    assertThat(ended.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    restarted = TestControlPlane.startWithWarmup("cp-b", WARMUP);
  }

  @AfterEach
  void stop() {
    first.close();
    if (restarted != null) {
      restarted.close();
    }
  }

  @Test
  void reconnectingSidecar_getsNothingAboutAHeldService_untilEveryInstanceIsBack()
      throws Exception {
    TestSidecar sidecar = reconnect();
    sidecar.subscribe("greeter", "marker");

    restarted.register(TestRequests.instance("greeter", "greeter-1"));
    restarted.passDebounce();
    restarted.register(TestRequests.instance("marker", "marker-1"));
    restarted.passDebounce();
    DiscoveryResponse markerOnly = sidecar.next();
    assertThat(services(markerOnly)).containsExactly("marker");

    restarted.register(TestRequests.instance("greeter", "greeter-2"));
    restarted.passDebounce();

    // Had anything about greeter been sent before, it would arrive first on the stream.
    DiscoveryResponse rebuilt = sidecar.next();
    assertThat(rebuilt.getControlPlaneId()).isEqualTo("cp-b");
    assertThat(greeter(rebuilt))
        .hasValueSatisfying(
            endpoints ->
                assertThat(endpoints.getInstancesList())
                    .extracting(Instance::getInstanceId)
                    .containsExactly("greeter-1", "greeter-2"));
    assertThat(restarted.getJson("/v1/sidecars").get("warmingUp").asBoolean()).isTrue();
  }

  @Test
  void reconnectingSidecar_getsThePartialAndEmptyServices_onlyWhenWarmupEnds() throws Exception {
    TestSidecar sidecar = reconnect();
    sidecar.subscribe("greeter", "gone", "marker");
    restarted.register(TestRequests.instance("greeter", "greeter-1"));
    restarted.passDebounce();
    restarted.register(TestRequests.instance("marker", "marker-1"));
    restarted.passDebounce();
    assertThat(services(sidecar.next())).containsExactly("marker");

    restarted.forward(WARMUP);

    DiscoveryResponse afterWarmup = sidecar.next();
    assertThat(services(afterWarmup)).containsExactlyInAnyOrder("greeter", "gone");
    for (ServiceEndpoints endpoints : afterWarmup.getServicesList()) {
      if (endpoints.getService().equals("greeter")) {
        assertThat(endpoints.getInstancesList())
            .extracting(Instance::getInstanceId)
            .containsExactly("greeter-1");
      } else {
        assertThat(endpoints.getInstancesList()).isEmpty();
      }
    }
    assertThat(restarted.getJson("/v1/sidecars").get("warmingUp").asBoolean()).isFalse();
  }

  /** The sidecar connects to the restarted control plane and reports what it holds. */
  private TestSidecar reconnect() {
    KnownService greeter =
        KnownService.newBuilder()
            .addAllInstanceIds(held.stream().map(Instance::getInstanceId).toList())
            .build();
    KnownService gone = KnownService.newBuilder().addInstanceIds("gone-1").build();
    return restarted.sidecar("sidecar-a", Map.of("greeter", greeter, "gone", gone));
  }

  private static List<String> services(DiscoveryResponse response) {
    return response.getServicesList().stream().map(ServiceEndpoints::getService).toList();
  }

  private static Optional<ServiceEndpoints> greeter(DiscoveryResponse response) {
    return response.getServicesList().stream()
        .filter(endpoints -> endpoints.getService().equals("greeter"))
        .findFirst();
  }
}
