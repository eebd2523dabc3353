package io.weft.sidecar.discovery;

import static io.weft.sidecar.discovery.TestResources.NODE;
import static io.weft.sidecar.discovery.TestResources.instance;
import static io.weft.sidecar.discovery.TestResources.response;
import static io.weft.sidecar.discovery.TestResources.route;
import static io.weft.sidecar.discovery.TestResources.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.rpc.Code;
import io.grpc.Context;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.common.BackoffOptions;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.ServiceEndpoints;
import io.weft.sidecar.discovery.EndpointSource.Watch;
import io.weft.sidecar.discovery.FakeDiscoveryService.FakeStream;
import io.weft.testing.FakeClock;
import io.weft.testing.FixedRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DiscoveryClientTest {

  private final FakeClock clock = new FakeClock();
  private final ErrorLogGuard errorLog = new ErrorLogGuard();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private FakeControlPlane controlPlane;
  private DiscoveryClient client;

  @BeforeEach
  void setUp() throws Exception {
    controlPlane = new FakeControlPlane();
    client =
        new DiscoveryClient(
            controlPlane.channel,
            NODE,
            clock.ticker(),
            clock.scheduler(),
            FixedRandom.of(0.5),
            BackoffOptions.DEFAULT,
            meters);
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    controlPlane.close();
    errorLog.close();
  }

  private FakeStream awaitStream() throws InterruptedException {
    return controlPlane.service.awaitStream();
  }

  @Test
  void firstWatch_opensStream_andSubscribesWithNodeOnFirstRequest() throws Exception {
    client.watchService("greeter", new RecordingWatcher<>());

    DiscoveryRequest first = awaitStream().awaitRequest();

    assertThat(first)
        .isEqualTo(DiscoveryRequest.newBuilder().setNode(NODE).addServiceNamesSubscribe("greeter")
            .build());
  }

  @Test
  void stream_openedFromInsideACall_outlivesThatCallsContext() throws Exception {
    RecordingWatcher<ServiceEndpoints> watcher = new RecordingWatcher<>();
    Context.CancellableContext call = Context.current().withCancellation();
    call.run(() -> client.watchService("greeter", watcher));
    FakeStream stream = awaitStream();
    stream.awaitRequest();

    call.cancel(null);
    ServiceEndpoints greeter = service("greeter", 7, instance("greeter", "g-1", 8080));
    stream.send(response("7", "n1", greeter));

    assertThat(watcher.awaitUpdates(1)).isEqualTo(greeter);
    assertThat(stream.awaitRequest().getResponseNonce()).isEqualTo("n1");
    assertThat(client.dump().connected()).isTrue();
  }

  @Test
  void noWatch_opensNoStream_andCountsAsSubscribed() {
    assertThat(client.isSubscribed()).isTrue();
    assertThat(controlPlane.service.pendingStreams()).isZero();
  }

  @Test
  void secondWatchOfSameName_doesNotResubscribe_andLastCloseUnsubscribes() throws Exception {
    Watch first = client.watchService("greeter", new RecordingWatcher<>());
    FakeStream stream = awaitStream();
    stream.awaitRequest();

    Watch second = client.watchService("greeter", new RecordingWatcher<>());
    Watch billing = client.watchService("billing", new RecordingWatcher<>());
    assertThat(stream.awaitRequest())
        .isEqualTo(DiscoveryRequest.newBuilder().addServiceNamesSubscribe("billing").build());

    first.close();
    billing.close();
    assertThat(stream.awaitRequest())
        .isEqualTo(DiscoveryRequest.newBuilder().addServiceNamesUnsubscribe("billing").build());

    second.close();
    assertThat(stream.awaitRequest())
        .isEqualTo(DiscoveryRequest.newBuilder().addServiceNamesUnsubscribe("greeter").build());
    await().atMost(Duration.ofSeconds(20))
        .until(() -> client.dump().subscribedServices().isEmpty());
  }

  @Test
  void validResponse_isAppliedAndAckedWithNonceAndVersion() throws Exception {
    RecordingWatcher<ServiceEndpoints> watcher = new RecordingWatcher<>();
    client.watchService("greeter", watcher);
    FakeStream stream = awaitStream();
    stream.awaitRequest();
    ServiceEndpoints greeter = service("greeter", 7, instance("greeter", "g-1", 8080));

    stream.send(response("7", "nonce-1", greeter));

    assertThat(stream.awaitRequest())
        .isEqualTo(
            DiscoveryRequest.newBuilder().setResponseNonce("nonce-1").setVersionInfo("7").build());
    assertThat(watcher.awaitUpdates(1)).isEqualTo(greeter);
    assertThat(watcher.errors).isEmpty();
  }

  @Test
  void newWatcherOfHeldName_getsHeldValuePromptly_withoutNewRequest() throws Exception {
    client.watchService("greeter", new RecordingWatcher<>());
    FakeStream stream = awaitStream();
    stream.awaitRequest();
    ServiceEndpoints greeter = service("greeter", 7, instance("greeter", "g-1", 8080));
    stream.send(response("7", "n1", greeter));
    stream.awaitRequest();

    RecordingWatcher<ServiceEndpoints> late = new RecordingWatcher<>();
    client.watchService("greeter", late);

    assertThat(late.awaitUpdates(1)).isEqualTo(greeter);
    client.watchService("billing", new RecordingWatcher<>());
    assertThat(stream.awaitRequest().getServiceNamesSubscribeList()).containsExactly("billing");
  }

  @Test
  void changedResource_isDelivered_andUnchangedOneIsNot() throws Exception {
    RecordingWatcher<ServiceEndpoints> watcher = new RecordingWatcher<>();
    client.watchService("greeter", watcher);
    FakeStream stream = awaitStream();
    stream.awaitRequest();
    ServiceEndpoints v1 = service("greeter", 1, instance("greeter", "g-1", 8080));
    ServiceEndpoints v2 = service("greeter", 2, instance("greeter", "g-1", 8080),
        instance("greeter", "g-2", 8081));

    stream.send(response("1", "n1", v1));
    stream.awaitRequest();
    stream.send(response("2", "n2", v2));
    stream.awaitRequest();
    stream.send(response("3", "n3", v2));
    assertThat(stream.awaitRequest().getVersionInfo()).isEqualTo("3");

    assertThat(watcher.updates).containsExactly(v1, v2);
  }

  @Test
  void invalidResponse_isNackedWithHeldVersion_andNothingOfItApplied() throws Exception {
    RecordingWatcher<ServiceEndpoints> alpha = new RecordingWatcher<>();
    RecordingWatcher<ServiceEndpoints> beta = new RecordingWatcher<>();
    client.watchService("alpha", alpha);
    FakeStream stream = awaitStream();
    stream.awaitRequest();
    client.watchService("beta", beta);
    stream.awaitRequest();
    ServiceEndpoints alpha1 = service("alpha", 1, instance("alpha", "a-1", 8080));
    ServiceEndpoints beta1 = service("beta", 1, instance("beta", "b-1", 8080));
    stream.send(response("1", "n1", alpha1, beta1));
    stream.awaitRequest();

    ServiceEndpoints alpha2 = service("alpha", 2, instance("alpha", "a-2", 9090));
    ServiceEndpoints beta2 = service("beta", 2, instance("beta", "b-1", 0));
    stream.send(response("2", "n2", alpha2, beta2));
    DiscoveryRequest nack = stream.awaitRequest();

    assertThat(nack.getResponseNonce()).isEqualTo("n2");
    assertThat(nack.getVersionInfo()).isEqualTo("1");
    assertThat(nack.getErrorDetail().getCode()).isEqualTo(Code.INVALID_ARGUMENT_VALUE);
    assertThat(nack.getErrorDetail().getMessage())
        .isEqualTo("service beta: instances[0].port: 0 (expected: 1..65535)");
    assertThat(alpha.updates).containsExactly(alpha1);
    assertThat(beta.updates).containsExactly(beta1);
    assertThat(alpha.errors).isEmpty();
    assertThat(beta.errors).isEmpty();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      DiscoveryClientDump dump = client.dump();
      assertThat(dump.services()).containsEntry("alpha", alpha1).containsEntry("beta", beta1);
      assertThat(dump.lastReceivedVersion()).isEqualTo("2");
      assertThat(dump.lastReceivedNonce()).isEqualTo("n2");
      assertThat(dump.lastAckedVersion()).isEqualTo("1");
      assertThat(dump.lastNack())
          .isEqualTo(new DiscoveryClientDump.Nack("n2", "2",
              "service beta: instances[0].port: 0 (expected: 1..65535)"));
      assertThat(dump.counts()).isEqualTo(new DiscoveryClientDump.Counts(2, 1, 1, 0));
    });
  }

  @Test
  void invalidResponse_forNameWithoutData_tellsItsWatchersAndNacksEmptyVersion()
      throws Exception {
    RecordingWatcher<ServiceEndpoints> watcher = new RecordingWatcher<>();
    client.watchService("beta", watcher);
    FakeStream stream = awaitStream();
    stream.awaitRequest();

    stream.send(response("1", "n1", service("beta", 1, instance("beta", "", 8080))));

    DiscoveryRequest nack = stream.awaitRequest();
    assertThat(nack.getVersionInfo()).isEmpty();
    assertThat(nack.getErrorDetail().getMessage()).contains("service beta: instances[0].instance_id");
    Status error = watcher.awaitErrors(1);
    assertThat(error.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(error.getDescription()).contains("instance_id");
    assertThat(watcher.updates).isEmpty();
  }

  @Test
  void responseForUnwatchedName_isIgnored_andTheRestAcked() throws Exception {
    RecordingWatcher<ServiceEndpoints> watcher = new RecordingWatcher<>();
    client.watchService("alpha", watcher);
    FakeStream stream = awaitStream();
    stream.awaitRequest();
    ServiceEndpoints alpha = service("alpha", 1, instance("alpha", "a-1", 8080));

    stream.send(response("1", "n1", alpha, service("gamma", 1, instance("gamma", "c-1", 1))));

    assertThat(stream.awaitRequest().hasErrorDetail()).isFalse();
    assertThat(watcher.awaitUpdates(1)).isEqualTo(alpha);
    await().atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(client.dump().services()).containsOnlyKeys("alpha"));
  }

  @Test
  void routeWatch_subscribesAppliesAcksAndUnsubscribes() throws Exception {
    RecordingWatcher<GrpcRoute> watcher = new RecordingWatcher<>();
    Watch watch = client.watchRoute("helloworld.Greeter", watcher);
    FakeStream stream = awaitStream();
    assertThat(stream.awaitRequest())
        .isEqualTo(DiscoveryRequest.newBuilder().setNode(NODE)
            .addRouteNamesSubscribe("helloworld.Greeter").build());
    GrpcRoute route = route("helloworld.Greeter", 3, "greeter");

    stream.send(response("3", "n1", List.of(), List.of(route)));

    assertThat(stream.awaitRequest())
        .isEqualTo(DiscoveryRequest.newBuilder().setResponseNonce("n1").setVersionInfo("3")
            .build());
    assertThat(watcher.awaitUpdates(1)).isEqualTo(route);
    await().atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(client.dump().routes())
            .containsEntry("helloworld.Greeter", route));

    watch.close();
    assertThat(stream.awaitRequest())
        .isEqualTo(DiscoveryRequest.newBuilder().addRouteNamesUnsubscribe("helloworld.Greeter")
            .build());
  }

  @Test
  void invalidRouteInResponse_isNacked() throws Exception {
    RecordingWatcher<GrpcRoute> watcher = new RecordingWatcher<>();
    client.watchRoute("helloworld.Greeter", watcher);
    FakeStream stream = awaitStream();
    stream.awaitRequest();

    stream.send(response("1", "n1", List.of(),
        List.of(route("helloworld.Greeter", 1, "Not_A_Label"))));

    assertThat(stream.awaitRequest().getErrorDetail().getMessage())
        .startsWith("route helloworld.Greeter: services[0]: \"Not_A_Label\"");
    assertThat(watcher.awaitErrors(1).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void invalidWatchedName_getsInvalidArgument_andSubscribesNothing() throws Exception {
    RecordingWatcher<ServiceEndpoints> badService = new RecordingWatcher<>();
    RecordingWatcher<GrpcRoute> badRoute = new RecordingWatcher<>();

    client.watchService("Bad_Name", badService);
    client.watchRoute("not a grpc service", badRoute);

    Status serviceError = badService.awaitErrors(1);
    assertThat(serviceError.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(serviceError.getDescription()).startsWith("service: \"Bad_Name\" (expected: ");
    assertThat(badRoute.awaitErrors(1).getDescription())
        .startsWith("grpcService: \"not a grpc service\" (expected: ");
    client.watchService("good", new RecordingWatcher<>());
    DiscoveryRequest first = awaitStream().awaitRequest();
    assertThat(first.getServiceNamesSubscribeList()).containsExactly("good");
    assertThat(first.getRouteNamesSubscribeList()).isEmpty();
  }

  @Test
  void throwingWatcher_doesNotBreakTheClient() throws Exception {
    EndpointSource.Watcher<ServiceEndpoints> throwing =
        new EndpointSource.Watcher<>() {
          @Override
          public void onUpdate(ServiceEndpoints resource) {
            throw new IllegalStateException("watcher bug");
          }

          @Override
          public void onError(Status status) {
            throw new IllegalStateException("watcher bug");
          }
        };
    RecordingWatcher<ServiceEndpoints> healthy = new RecordingWatcher<>();
    client.watchService("greeter", throwing);
    client.watchService("greeter", healthy);
    FakeStream stream = awaitStream();
    stream.awaitRequest();

    stream.send(response("1", "n1", service("greeter", 1, instance("greeter", "g-1", 1))));
    assertThat(stream.awaitRequest().getVersionInfo()).isEqualTo("1");
    stream.send(response("2", "n2", service("greeter", 2, instance("greeter", "g-2", 1))));
    assertThat(stream.awaitRequest().getVersionInfo()).isEqualTo("2");

    assertThat(healthy.awaitUpdates(2).getRevision()).isEqualTo(2);
  }

  @Test
  void closedWatch_getsNoMoreCalls() throws Exception {
    RecordingWatcher<ServiceEndpoints> closedOne = new RecordingWatcher<>();
    RecordingWatcher<ServiceEndpoints> open = new RecordingWatcher<>();
    Watch watch = client.watchService("greeter", closedOne);
    client.watchService("greeter", open);
    FakeStream stream = awaitStream();
    stream.awaitRequest();

    watch.close();
    watch.close();
    stream.send(response("1", "n1", service("greeter", 1, instance("greeter", "g-1", 1))));

    stream.awaitRequest();
    open.awaitUpdates(1);
    assertThat(closedOne.updates).isEmpty();
  }

  @Test
  void dump_andReadiness_followTheStream() throws Exception {
    client.watchService("greeter", new RecordingWatcher<>());
    FakeStream stream = awaitStream();
    stream.awaitRequest();
    await().atMost(Duration.ofSeconds(20))
        .until(() -> client.dump().subscribedServices().contains("greeter"));
    DiscoveryClientDump before = client.dump();
    assertThat(before.connected()).isFalse();
    assertThat(client.isSubscribed()).isFalse();
    assertThat(before.subscribedServices()).containsExactly("greeter");
    assertThat(before.sinceLastResponse()).isNull();
    assertThat(before.nodeId()).isEqualTo("sidecar-1");
    assertThat(before.controlPlaneTarget()).startsWith("127.0.0.1:");

    stream.send(response("5", "n5", service("greeter", 5, instance("greeter", "g-1", 1))));
    stream.awaitRequest();
    await().atMost(Duration.ofSeconds(20)).until(client::isSubscribed);
    clock.forward(3, TimeUnit.SECONDS);

    DiscoveryClientDump after = client.dump();
    assertThat(after.connected()).isTrue();
    assertThat(after.controlPlaneId()).isEqualTo("cp-1");
    assertThat(after.lastAckedVersion()).isEqualTo("5");
    assertThat(after.lastReceivedNonce()).isEqualTo("n5");
    assertThat(after.lastNack()).isNull();
    assertThat(after.sinceLastResponse()).isEqualTo(Duration.ofSeconds(3));
    assertThat(after.services().get("greeter").getRevision()).isEqualTo(5);
  }

  @Test
  void metrics_countResponsesAcksAndNacks() throws Exception {
    client.watchService("greeter", new RecordingWatcher<>());
    FakeStream stream = awaitStream();
    stream.awaitRequest();

    stream.send(response("1", "n1", service("greeter", 1, instance("greeter", "g-1", 1))));
    stream.awaitRequest();
    stream.send(response("2", "n2", service("greeter", 2, instance("greeter", "g-1", 0))));
    stream.awaitRequest();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(meters.get("weft_discovery_client_responses").counter().count()).isEqualTo(2);
      assertThat(meters.get("weft_discovery_client_acks").counter().count()).isEqualTo(1);
      assertThat(meters.get("weft_discovery_client_nacks").counter().count()).isEqualTo(1);
      assertThat(meters.get("weft_discovery_client_reconnects").counter().count()).isZero();
      assertThat(meters.get("weft_discovery_client_connected").gauge().value()).isEqualTo(1);
    });
  }

  @Test
  void close_cancelsTheStream_removesMeters_andRefusesNewWatches() throws Exception {
    client.watchService("greeter", new RecordingWatcher<>());
    FakeStream stream = awaitStream();
    stream.awaitRequest();

    client.close();

    await().atMost(Duration.ofSeconds(20)).until(stream::clientGone);
    await().atMost(Duration.ofSeconds(20)).until(() -> meters.getMeters().isEmpty());
    assertThat(clock.pendingTaskCount()).isZero();
    RecordingWatcher<ServiceEndpoints> late = new RecordingWatcher<>();
    client.watchService("greeter", late);
    assertThat(late.awaitErrors(1).getDescription()).isEqualTo("discovery client is closed");
  }

  @Test
  void constructor_rejectsNodeWithoutId() {
    assertThatThrownBy(
            () ->
                new DiscoveryClient(
                    controlPlane.channel,
                    NODE.toBuilder().setId("").build(),
                    clock.ticker(),
                    clock.scheduler(),
                    FixedRandom.of(0.5),
                    BackoffOptions.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("node.id: \"\" (expected: 1..253 printable ASCII characters)");
  }
}
