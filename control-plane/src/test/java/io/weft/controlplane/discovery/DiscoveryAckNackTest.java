package io.weft.controlplane.discovery;

import static io.weft.controlplane.discovery.FakeRegistry.instance;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.ServiceEndpoints;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ACK and NACK handling, and the metrics they and pushes feed. */
class DiscoveryAckNackTest {

  private DiscoveryHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    harness = DiscoveryHarness.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void ack_isRecordedWithTheVersionOfTheAckedResponse() throws Exception {
    harness.register(instance("greeter", "g1"));
    harness.passDebounce();
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("greeter");
    DiscoveryResponse response = sidecar.next();

    sidecar.ack(response);

    SidecarStatus status = harness.awaitSidecar("a", s -> s.acks() == 1);
    assertThat(status.lastAckedVersion()).isEqualTo(response.getVersionInfo());
    assertThat(status.nacks()).isZero();
  }

  @Test
  void nack_isRecordedAndTheNackedContentIsNotResent() throws Exception {
    harness.register(instance("greeter", "g1"));
    harness.register(instance("billing", "b1"));
    harness.passDebounce();
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("greeter", "billing");
    DiscoveryResponse first = sidecar.next();
    sidecar.ack(first);
    harness.register(instance("greeter", "g2"));
    harness.passDebounce();
    DiscoveryResponse refused = sidecar.next();

    sidecar.nack(refused, first.getVersionInfo(), "greeter: instance g2: bad address");

    SidecarStatus status = harness.awaitSidecar("a", s -> s.nacks() == 1);
    NackRecord nack = status.lastNack().orElseThrow();
    assertThat(nack.nonce()).isEqualTo(refused.getNonce());
    assertThat(nack.version()).isEqualTo(first.getVersionInfo());
    assertThat(nack.message()).isEqualTo("greeter: instance g2: bad address");
    assertThat(nack.at()).isEqualTo(DiscoveryHarness.START);
    assertThat(status.lastAckedVersion()).isEqualTo(first.getVersionInfo());

    long revision = harness.register(instance("billing", "b2"));
    harness.passDebounce();
    DiscoveryResponse next = sidecar.next();
    assertThat(next.getServicesList())
        .extracting(ServiceEndpoints::getService)
        .containsExactly("billing");
    assertThat(next.getVersionInfo()).isEqualTo(Long.toString(revision));

    harness.register(instance("greeter", "g3"));
    harness.passDebounce();
    assertThat(sidecar.next().getServicesList())
        .singleElement()
        .satisfies(s -> assertThat(s.getInstancesCount()).isEqualTo(3));
  }

  @Test
  void replyToUnknownNonce_isIgnored() throws Exception {
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("greeter");
    DiscoveryResponse first = sidecar.next();

    sidecar.send(DiscoveryRequest.newBuilder().setResponseNonce("999").setVersionInfo("7"));
    sidecar.ack(first);

    SidecarStatus status = harness.awaitSidecar("a", s -> s.acks() == 1);
    assertThat(status.lastAckedVersion()).isEqualTo(first.getVersionInfo());
    assertThat(status.nacks()).isZero();
  }

  @Test
  void secondReplyToTheSameNonce_isIgnored() throws Exception {
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("greeter");
    DiscoveryResponse first = sidecar.next();

    sidecar.ack(first);
    sidecar.nack(first, "", "late refusal");
    sidecar.subscribe("billing");
    sidecar.next();

    SidecarStatus status = harness.awaitSidecar("a", s -> s.subscribedServices().size() == 2);
    assertThat(status.acks()).isEqualTo(1);
    assertThat(status.nacks()).isZero();
  }

  @Test
  void metrics_countConnectedSidecarsPushesAcksNacksAndPushLatency() throws Exception {
    TestSidecar a = harness.sidecar("a");
    TestSidecar b = harness.sidecar("b");
    a.subscribe("greeter");
    b.subscribe("greeter");
    DiscoveryResponse firstA = a.next();
    DiscoveryResponse firstB = b.next();
    a.ack(firstA);
    b.nack(firstB, "", "refused");
    harness.awaitSidecar("b", s -> s.nacks() == 1);
    harness.awaitSidecar("a", s -> s.acks() == 1);
    harness.register(instance("greeter", "g1"));
    harness.passDebounce();
    a.next();
    b.next();

    harness.awaitSidecar("b", s -> s.pushes() == 2);
    assertThat(gauge(DiscoveryMetrics.CONNECTED_SIDECARS)).isEqualTo(2);
    assertThat(counter(DiscoveryMetrics.PUSHES)).isEqualTo(4);
    assertThat(counter(DiscoveryMetrics.ACKS)).isEqualTo(1);
    assertThat(counter(DiscoveryMetrics.NACKS)).isEqualTo(1);
    Timer latency = harness.meters.get(DiscoveryMetrics.PUSH_LATENCY).timer();
    assertThat(latency.count()).isEqualTo(2);
    assertThat(latency.max(TimeUnit.MILLISECONDS))
        .isEqualTo(DiscoveryHarness.DEBOUNCE.toMillis());
    DiscoveryStatus status = harness.server.status();
    assertThat(List.of(status.pushes(), status.acks(), status.nacks())).containsExactly(4L, 1L, 1L);

    a.cancel();
    harness.awaitGone("a");
    assertThat(gauge(DiscoveryMetrics.CONNECTED_SIDECARS)).isEqualTo(1);
  }

  @Test
  void prometheusNames_areTheDocumentedOnes() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new DiscoveryMetrics(prometheus, List.of()).pushed(1_000_000);

    assertThat(prometheus.scrape())
        .contains("weft_discovery_connected_sidecars ")
        .contains("weft_discovery_pushes_total 1")
        .contains("weft_discovery_acks_total 0")
        .contains("weft_discovery_nacks_total 0")
        .contains("weft_discovery_push_latency_seconds_bucket{")
        .contains("weft_discovery_push_latency_seconds_count 1")
        .doesNotContain("seconds_seconds");
  }

  private double gauge(String name) {
    return harness.meters.get(name).gauge().value();
  }

  private double counter(String name) {
    return harness.meters.get(name).counter().count();
  }
}
