package io.weft.controlplane.discovery;

import static io.weft.controlplane.discovery.FakeRegistry.instance;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.ServiceEndpoints;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The discovery stream over real Netty: subscriptions, first and incremental responses. */
class DiscoveryStreamTest {

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
  void firstRequest_withoutNode_endsStreamWithInvalidArgument() throws Exception {
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.sendRaw(DiscoveryRequest.newBuilder().addServiceNamesSubscribe("greeter").build());

    Status status = sidecar.awaitClosed();

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("node.id");
    assertThat(harness.server.status().connectedSidecars()).isZero();
  }

  @Test
  void invalidNames_endStreamWithInvalidArgumentNamingThem() throws Exception {
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("greeter");
    sidecar.next();

    sidecar.send(
        DiscoveryRequest.newBuilder()
            .addServiceNamesSubscribe("Bad_Name")
            .addRouteNamesSubscribe("1nope.Greeter"));
    Status status = sidecar.awaitClosed();

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription())
        .contains("service_names_subscribe[0]: \"Bad_Name\"")
        .contains("route_names_subscribe[0]: \"1nope.Greeter\"");
    harness.awaitGone("a");
  }

  @Test
  void subscribe_answersPromptlyWithCurrentState() throws Exception {
    Instance g1 = instance("greeter", "g1");
    long revision = harness.register(g1);
    harness.passDebounce();
    TestSidecar sidecar = harness.sidecar("a");

    sidecar.subscribe("greeter");
    DiscoveryResponse response = sidecar.next();

    assertThat(response.getVersionInfo()).isEqualTo(Long.toString(revision));
    assertThat(response.getNonce()).isNotEmpty();
    assertThat(response.getControlPlaneId()).isEqualTo("cp-test");
    assertThat(response.getServicesList())
        .containsExactly(
            ServiceEndpoints.newBuilder()
                .setService("greeter")
                .setRevision(revision)
                .addInstances(g1)
                .build());
    assertThat(response.getRoutesList()).isEmpty();
  }

  @Test
  void change_pushesOnlyTheChangedServiceWithItsWholeState() throws Exception {
    harness.register(instance("greeter", "g1"));
    harness.register(instance("billing", "b1"));
    harness.passDebounce();
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("greeter", "billing");
    assertThat(names(sidecar.next())).containsExactlyInAnyOrder("greeter", "billing");

    long revision = harness.register(instance("greeter", "g2"));
    harness.passDebounce();
    DiscoveryResponse response = sidecar.next();

    assertThat(response.getVersionInfo()).isEqualTo(Long.toString(revision));
    assertThat(names(response)).containsExactly("greeter");
    assertThat(response.getServices(0).getInstancesList())
        .extracting(Instance::getInstanceId)
        .containsExactly("g1", "g2");
  }

  @Test
  void removalOfLastInstance_isPushedAsExplicitEmptySet() throws Exception {
    harness.register(instance("greeter", "g1"));
    harness.passDebounce();
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("greeter");
    sidecar.next();

    long revision = harness.remove("greeter", "g1");
    harness.passDebounce();
    DiscoveryResponse response = sidecar.next();

    assertThat(response.getServicesList())
        .containsExactly(
            ServiceEndpoints.newBuilder().setService("greeter").setRevision(revision).build());
  }

  @Test
  void serviceSubscribedBeforeItExists_isSentEmptyThenPushedWhenItAppears() throws Exception {
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("later");
    DiscoveryResponse first = sidecar.next();
    assertThat(first.getServicesList())
        .containsExactly(ServiceEndpoints.newBuilder().setService("later").build());

    harness.register(instance("later", "l1"));
    harness.passDebounce();

    assertThat(sidecar.next().getServicesList())
        .singleElement()
        .satisfies(s -> assertThat(s.getInstancesCount()).isEqualTo(1));
  }

  @Test
  void wildcard_receivesPresentAndFutureServices() throws Exception {
    harness.register(instance("greeter", "g1"));
    harness.register(instance("billing", "b1"));
    harness.passDebounce();
    TestSidecar sidecar = harness.sidecar("a");

    sidecar.subscribe("*");
    assertThat(names(sidecar.next())).containsExactlyInAnyOrder("greeter", "billing");

    harness.register(instance("brand-new", "n1"));
    harness.passDebounce();
    assertThat(names(sidecar.next())).containsExactly("brand-new");

    harness.remove("brand-new", "n1");
    harness.passDebounce();
    assertThat(sidecar.next().getServicesList())
        .singleElement()
        .satisfies(s -> assertThat(s.getInstancesList()).isEmpty());
  }

  @Test
  void routeSubscription_sendsUnservedRouteEmptyThenItsServers() throws Exception {
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribeRoutes("helloworld.Greeter");
    DiscoveryResponse first = sidecar.next();
    assertThat(first.getRoutesList())
        .containsExactly(GrpcRoute.newBuilder().setGrpcService("helloworld.Greeter").build());
    assertThat(first.getServicesList()).isEmpty();

    long revision = harness.register(instance("greeter", "g1", "helloworld.Greeter"));
    harness.passDebounce();

    assertThat(sidecar.next().getRoutesList())
        .containsExactly(
            GrpcRoute.newBuilder()
                .setGrpcService("helloworld.Greeter")
                .setRevision(revision)
                .addServices("greeter")
                .build());
  }

  @Test
  void subscriptionChangeMidStream_sendsNewNameAndStopsPushingTheOldOne() throws Exception {
    harness.register(instance("greeter", "g1"));
    harness.register(instance("billing", "b1"));
    harness.passDebounce();
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("greeter");
    assertThat(names(sidecar.next())).containsExactly("greeter");

    sidecar.send(
        DiscoveryRequest.newBuilder()
            .addServiceNamesUnsubscribe("greeter")
            .addServiceNamesSubscribe("billing"));
    assertThat(names(sidecar.next())).containsExactly("billing");

    harness.register(instance("greeter", "g2"));
    harness.passDebounce();
    long revision = harness.register(instance("billing", "b2"));
    harness.passDebounce();
    DiscoveryResponse next = sidecar.next();
    assertThat(names(next)).containsExactly("billing");
    assertThat(next.getVersionInfo()).isEqualTo(Long.toString(revision));
    assertThat(harness.sidecarStatus("a").orElseThrow().subscribedServices())
        .containsExactly("billing");
  }

  @Test
  void subscribingTwice_sendsNothingNewButResubscribingInOneRequestResends() throws Exception {
    harness.register(instance("greeter", "g1"));
    harness.passDebounce();
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("greeter", "marker");
    sidecar.next();

    sidecar.subscribe("greeter");
    harness.register(instance("marker", "m1"));
    harness.passDebounce();
    assertThat(names(sidecar.next())).containsExactly("marker");

    sidecar.send(
        DiscoveryRequest.newBuilder()
            .addServiceNamesUnsubscribe("greeter")
            .addServiceNamesSubscribe("greeter"));
    assertThat(names(sidecar.next())).containsExactly("greeter");
  }

  @Test
  void unsubscribingWildcard_keepsServicesSubscribedByName() throws Exception {
    harness.register(instance("greeter", "g1"));
    harness.register(instance("billing", "b1"));
    harness.passDebounce();
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("*", "greeter");
    assertThat(names(sidecar.next())).containsExactlyInAnyOrder("greeter", "billing");

    sidecar.unsubscribe("*");
    harness.awaitSidecar("a", s -> !s.wildcard());
    harness.register(instance("billing", "b2"));
    harness.passDebounce();
    harness.register(instance("greeter", "g2"));
    harness.passDebounce();

    assertThat(names(sidecar.next())).containsExactly("greeter");
  }

  @Test
  void nonces_areUniquePerResponse() throws Exception {
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("greeter");
    Set<String> nonces = new HashSet<>();
    nonces.add(sidecar.next().getNonce());
    for (int i = 0; i < 5; i++) {
      harness.register(instance("greeter", "g" + i));
      harness.passDebounce();
      nonces.add(sidecar.next().getNonce());
    }

    assertThat(nonces).hasSize(6);
  }

  @Test
  void status_showsNodePeerSubscriptionsAndLastSent() throws Exception {
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.send(
        DiscoveryRequest.newBuilder()
            .addServiceNamesSubscribe("greeter")
            .addServiceNamesSubscribe("*")
            .addRouteNamesSubscribe("helloworld.Greeter"));
    DiscoveryResponse response = sidecar.next();

    SidecarStatus status = harness.awaitSidecar("a", s -> s.pushes() == 1);

    assertThat(status.zone()).isEqualTo("zone-a");
    assertThat(status.peer()).contains("127.0.0.1");
    assertThat(status.subscribedServices()).containsExactly("greeter");
    assertThat(status.wildcard()).isTrue();
    assertThat(status.subscribedRoutes()).containsExactly("helloworld.Greeter");
    assertThat(status.lastSentVersion()).isEqualTo(response.getVersionInfo());
    assertThat(status.lastSentNonce()).isEqualTo(response.getNonce());
    assertThat(status.lastAckedVersion()).isEmpty();
    assertThat(status.lastNack()).isEmpty();
    assertThat(status.connectedSince()).isEqualTo(DiscoveryHarness.START);
  }

  @Test
  void streamBreak_removesSidecarFromStatus() throws Exception {
    TestSidecar a = harness.sidecar("a");
    TestSidecar b = harness.sidecar("b");
    a.subscribe("greeter");
    b.subscribe("greeter");
    a.next();
    b.next();
    assertThat(harness.server.status().connectedSidecars()).isEqualTo(2);

    a.cancel();
    harness.awaitGone("a");

    assertThat(harness.server.status().sidecars())
        .extracting(SidecarStatus::nodeId)
        .containsExactly("b");
  }

  @Test
  void clientHalfClose_completesTheStream() throws Exception {
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("greeter");
    sidecar.next();

    sidecar.complete();

    assertThat(sidecar.awaitClosed().getCode()).isEqualTo(Status.Code.OK);
    harness.awaitGone("a");
  }

  private static List<String> names(DiscoveryResponse response) {
    return response.getServicesList().stream().map(ServiceEndpoints::getService).toList();
  }
}
