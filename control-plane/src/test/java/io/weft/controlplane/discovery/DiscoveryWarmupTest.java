package io.weft.controlplane.discovery;

import static io.weft.controlplane.discovery.FakeRegistry.instance;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.KnownService;
import io.weft.mesh.v1.ServiceEndpoints;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Restart safety: during warm-up a service goes to a sidecar only when it is rebuilt or that
 * sidecar reported nothing for it; empty services and routes wait for the end of warm-up.
 *
 * <p>"Nothing was sent" is shown by a later change to a marker service: with one fan-out thread
 * the next response a sidecar gets is the marker alone only if nothing came before it.
 */
class DiscoveryWarmupTest {

  private static final Duration WARMUP = Duration.ofSeconds(10);

  private DiscoveryHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    harness = DiscoveryHarness.withWarmup(WARMUP);
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void serviceNotRebuilt_isHeldFromSidecarsThatReportedItAndSentToOthers() throws Exception {
    TestSidecar reporter = harness.sidecar("reporter", known("greeter", "g1", "g2"));
    reporter.subscribe("greeter", "marker");
    TestSidecar newcomer = harness.sidecar("newcomer");
    newcomer.subscribe("greeter");
    harness.awaitSidecar("newcomer", s -> s.subscribedServices().contains("greeter"));

    harness.register(instance("greeter", "g1"));
    harness.passDebounce();
    assertThat(ids(newcomer.next())).containsExactly("g1");
    TestSidecar late = harness.sidecar("late");
    late.subscribe("greeter");
    assertThat(ids(late.next())).containsExactly("g1");
    harness.register(instance("marker", "m1"));
    harness.passDebounce();
    assertThat(names(reporter.next())).containsExactly("marker");

    harness.register(instance("greeter", "g2"));
    harness.passDebounce();
    assertThat(ids(reporter.next())).containsExactly("g1", "g2");
    assertThat(ids(newcomer.next())).containsExactly("g1", "g2");
    assertThat(harness.server.status().warmingUp()).isTrue();
  }

  @Test
  void emptyServicesAndRoutes_areHeldUntilWarmupEnds() throws Exception {
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.send(
        DiscoveryRequest.newBuilder()
            .addServiceNamesSubscribe("nothing")
            .addServiceNamesSubscribe("marker")
            .addRouteNamesSubscribe("helloworld.Greeter"));
    harness.awaitSidecar("a", s -> s.subscribedRoutes().size() == 1);
    harness.register(instance("marker", "m1"));
    harness.passDebounce();
    DiscoveryResponse marker = sidecar.next();
    assertThat(names(marker)).containsExactly("marker");
    assertThat(marker.getRoutesList()).isEmpty();

    harness.clock.forward(WARMUP.toNanos(), TimeUnit.NANOSECONDS);
    DiscoveryResponse released = sidecar.next();

    assertThat(released.getServicesList())
        .containsExactly(ServiceEndpoints.newBuilder().setService("nothing").build());
    assertThat(released.getRoutesList())
        .containsExactly(GrpcRoute.newBuilder().setGrpcService("helloworld.Greeter").build());
    assertThat(harness.server.isWarmingUp()).isFalse();
  }

  @Test
  void heldService_isSentWhenWarmupEnds() throws Exception {
    TestSidecar sidecar = harness.sidecar("a", known("greeter", "g1", "g2"));
    sidecar.subscribe("greeter", "marker");
    harness.register(instance("greeter", "g1"));
    harness.passDebounce();
    harness.register(instance("marker", "m1"));
    harness.passDebounce();
    assertThat(names(sidecar.next())).containsExactly("marker");

    harness.clock.forward(WARMUP.toNanos(), TimeUnit.NANOSECONDS);

    assertThat(ids(sidecar.next())).containsExactly("g1");
    assertThat(harness.server.status().warmingUp()).isFalse();
  }

  @Test
  void disconnectOfAReporter_releasesWhatOnlyItsReportHeldBack() throws Exception {
    TestSidecar gone = harness.sidecar("gone", known("greeter", "g1", "g2"));
    gone.subscribe("greeter");
    harness.awaitSidecar("gone", s -> s.subscribedServices().contains("greeter"));
    TestSidecar stays = harness.sidecar("stays", known("greeter", "g1"));
    stays.subscribe("greeter", "marker");
    harness.awaitSidecar("stays", s -> s.subscribedServices().size() == 2);
    harness.register(instance("greeter", "g1"));
    harness.passDebounce();
    harness.register(instance("marker", "m1"));
    harness.passDebounce();
    assertThat(names(stays.next())).containsExactly("marker");

    gone.cancel();

    assertThat(ids(stays.next())).containsExactly("g1");
    assertThat(harness.server.isWarmingUp()).isTrue();
  }

  private static Map<String, KnownService> known(String service, String... ids) {
    return Map.of(service, KnownService.newBuilder().addAllInstanceIds(List.of(ids)).build());
  }

  private static List<String> names(DiscoveryResponse response) {
    return response.getServicesList().stream().map(ServiceEndpoints::getService).toList();
  }

  private static List<String> ids(DiscoveryResponse response) {
    assertThat(response.getServicesList()).hasSize(1);
    return response.getServices(0).getInstancesList().stream()
        .map(Instance::getInstanceId)
        .toList();
  }
}
