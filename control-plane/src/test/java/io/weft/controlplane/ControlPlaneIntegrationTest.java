package io.weft.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.weft.controlplane.discovery.TestSidecar;
import io.weft.controlplane.registration.KeepAliveClient;
import io.weft.controlplane.registry.InvalidRegistrations;
import io.weft.controlplane.registry.TestRequests;
import io.weft.mesh.v1.DeregisterRequest;
import io.weft.mesh.v1.DeregisterResponse;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.DiscoveryServiceGrpc;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.KeepAliveResponse;
import io.weft.mesh.v1.LeaseEvent;
import io.weft.mesh.v1.RegisterRequest;
import io.weft.mesh.v1.RegisterResponse;
import io.weft.mesh.v1.RegistrationServiceGrpc;
import io.weft.mesh.v1.ServiceEndpoints;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The whole control plane in-process, reached only the way sidecars and operators reach it: gRPC
 * registration and discovery over Netty on loopback, and the admin HTTP port. A fake clock drives
 * leases, debounce and drain bounds.
 */
class ControlPlaneIntegrationTest {

  private TestControlPlane cp;

  @BeforeEach
  void start() throws Exception {
    cp = TestControlPlane.start("cp-it");
  }

  @AfterEach
  void stop() {
    cp.close();
  }

  @Test
  void register_isPushedToASubscribedSidecar_andItsAckShowsInSidecars() throws Exception {
    TestSidecar sidecar = cp.sidecar("sidecar-a");
    sidecar.subscribe("greeter");
    DiscoveryResponse first = sidecar.next();
    assertThat(first.getServicesList())
        .singleElement()
        .satisfies(
            service -> {
              assertThat(service.getService()).isEqualTo("greeter");
              assertThat(service.getInstancesList()).isEmpty();
            });
    sidecar.ack(first);

    RegisterResponse registered = cp.register(TestRequests.instance("greeter", "greeter-1"));
    cp.passDebounce();

    DiscoveryResponse push = sidecar.next();
    assertThat(push.getVersionInfo()).isEqualTo(Long.toString(registered.getRevision()));
    assertThat(push.getControlPlaneId()).isEqualTo("cp-it");
    assertThat(push.getServicesList())
        .singleElement()
        .satisfies(
            service ->
                assertThat(service.getInstancesList()).containsExactly(registered.getInstance()));
    sidecar.ack(push);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              JsonNode status = cp.getJson("/v1/sidecars");
              assertThat(status.get("connectedSidecars").asInt()).isEqualTo(1);
              JsonNode entry = status.get("sidecars").get(0);
              assertThat(entry.get("nodeId").asText()).isEqualTo("sidecar-a");
              assertThat(entry.get("subscribedServices").get(0).asText()).isEqualTo("greeter");
              assertThat(entry.get("lastSentNonce").asText()).isEqualTo(push.getNonce());
              assertThat(entry.get("lastAckedVersion").asText()).isEqualTo(push.getVersionInfo());
              assertThat(entry.get("sync").asText()).isEqualTo("SYNCED");
              assertThat(entry.get("acks").asLong()).isEqualTo(2);
            });
  }

  @Test
  void leaseExpiry_pushesTheRemovalAsAnExplicitEmptySet() throws Exception {
    RegisterResponse registered = cp.register(TestRequests.instance("greeter", "greeter-1"));
    TestSidecar sidecar = cp.sidecar("sidecar-a");
    sidecar.subscribe("greeter");
    DiscoveryResponse first = sidecar.next();
    assertThat(first.getServices(0).getInstancesList()).containsExactly(registered.getInstance());
    sidecar.ack(first);

    cp.forward(TestControlPlane.LEASE_TTL);
    cp.passDebounce();

    DiscoveryResponse removal = sidecar.next();
    assertThat(Long.parseLong(removal.getVersionInfo())).isGreaterThan(registered.getRevision());
    assertThat(removal.getServicesList())
        .singleElement()
        .satisfies(
            service -> {
              assertThat(service.getService()).isEqualTo("greeter");
              assertThat(service.getInstancesList()).isEmpty();
            });
    assertThat(cp.getJson("/v1/services").get("services")).isEmpty();
    assertThat(cp.getJson("/v1/leases").get("leases")).isEmpty();
  }

  @Test
  void deregister_drainingIsPushed_andOnceEverySubscriberAcksTheLeaseStreamGetsDrainConfirmed()
      throws Exception {
    RegisterResponse registered = cp.register(TestRequests.instance("greeter", "greeter-1"));
    List<TestSidecar> sidecars = List.of(cp.sidecar("sidecar-a"), cp.sidecar("sidecar-b"));
    for (TestSidecar sidecar : sidecars) {
      sidecar.subscribe("greeter");
      sidecar.ack(sidecar.next());
    }
    KeepAliveClient keepAlive = cp.keepAlive();
    assertThat(keepAlive.renewAndAwait(registered.getLeaseId(), HealthStatus.SERVING).getEvent())
        .isEqualTo(LeaseEvent.RENEWED);

    DeregisterResponse deregistered =
        cp.registration()
            .deregister(DeregisterRequest.newBuilder().setLeaseId(registered.getLeaseId()).build());
    assertThat(deregistered.getInstance().getHealth()).isEqualTo(HealthStatus.DRAINING);
    cp.passDebounce();

    for (TestSidecar sidecar : sidecars) {
      DiscoveryResponse draining = sidecar.next();
      assertThat(draining.getVersionInfo()).isEqualTo(Long.toString(deregistered.getRevision()));
      assertThat(draining.getServices(0).getInstancesList())
          .singleElement()
          .extracting(Instance::getHealth)
          .isEqualTo(HealthStatus.DRAINING);
      sidecar.ack(draining);
    }

    KeepAliveResponse confirmed = keepAlive.next();
    assertThat(confirmed.getEvent()).isEqualTo(LeaseEvent.DRAIN_CONFIRMED);
    assertThat(confirmed.getDrain().getConfirmedSidecars()).isEqualTo(2);
    assertThat(confirmed.getDrain().getTimedOut()).isFalse();
    assertThat(confirmed.getDrain().getRevision()).isEqualTo(deregistered.getRevision());
  }

  @Test
  void deregister_withASubscriberThatNeverAcks_isConfirmedAtTheBoundNamingIt() throws Exception {
    RegisterResponse registered = cp.register(TestRequests.instance("greeter", "greeter-1"));
    TestSidecar acking = cp.sidecar("sidecar-a");
    TestSidecar silent = cp.sidecar("sidecar-b");
    acking.subscribe("greeter");
    acking.ack(acking.next());
    silent.subscribe("greeter");
    silent.next();
    KeepAliveClient keepAlive = cp.keepAlive();
    keepAlive.renewAndAwait(registered.getLeaseId(), HealthStatus.SERVING);

    DeregisterResponse deregistered =
        cp.registration()
            .deregister(DeregisterRequest.newBuilder().setLeaseId(registered.getLeaseId()).build());
    cp.passDebounce();
    DiscoveryResponse draining = acking.next();
    acking.ack(draining);
    silent.next();
    awaitAckedVersion("sidecar-a", draining.getVersionInfo());
    assertThat(keepAlive.hasUnread()).isFalse();

    cp.forward(TestControlPlane.DRAIN_CONFIRM_TIMEOUT);

    KeepAliveResponse confirmed = keepAlive.next();
    assertThat(confirmed.getEvent()).isEqualTo(LeaseEvent.DRAIN_CONFIRMED);
    assertThat(confirmed.getDrain().getTimedOut()).isTrue();
    assertThat(confirmed.getDrain().getConfirmedSidecars()).isEqualTo(1);
    assertThat(confirmed.getDrain().getPendingNodeIdsList()).containsExactly("sidecar-b");
    assertThat(confirmed.getDrain().getRevision()).isEqualTo(deregistered.getRevision());
  }

  @Test
  void nack_isRecordedInSidecars_andTheNackedVersionIsNotSentAgain() throws Exception {
    TestSidecar sidecar = cp.sidecar("sidecar-a");
    sidecar.subscribe("greeter", "other");
    DiscoveryResponse first = sidecar.next();
    sidecar.ack(first);
    cp.register(TestRequests.instance("greeter", "greeter-1"));
    cp.passDebounce();
    DiscoveryResponse refused = sidecar.next();

    sidecar.nack(refused, first.getVersionInfo(), "services[0]: rejected by the test");

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              JsonNode status = cp.getJson("/v1/sidecars");
              assertThat(status.get("nacks").asLong()).isEqualTo(1);
              JsonNode entry = status.get("sidecars").get(0);
              assertThat(entry.get("sync").asText()).isEqualTo("NACKED");
              assertThat(entry.get("nacks").asLong()).isEqualTo(1);
              assertThat(entry.get("lastAckedVersion").asText())
                  .isEqualTo(first.getVersionInfo());
              JsonNode nack = entry.get("lastNack");
              assertThat(nack.get("nonce").asText()).isEqualTo(refused.getNonce());
              assertThat(nack.get("version").asText()).isEqualTo(first.getVersionInfo());
              assertThat(nack.get("message").asText())
                  .isEqualTo("services[0]: rejected by the test");
            });

    cp.register(TestRequests.instance("other", "other-1"));
    cp.passDebounce();
    DiscoveryResponse next = sidecar.next();
    assertThat(next.getServicesList()).extracting(ServiceEndpoints::getService)
        .containsExactly("other");
    assertThat(sidecar.received()).isEqualTo(3);
  }

  @Test
  void wildcard_receivesEveryService_presentAndFuture() throws Exception {
    cp.register(TestRequests.instance("greeter", "greeter-1"));
    TestSidecar sidecar = cp.sidecar("sidecar-a");
    sidecar.subscribe("*");
    DiscoveryResponse first = sidecar.next();
    assertThat(first.getServicesList()).extracting(ServiceEndpoints::getService)
        .containsExactly("greeter");
    sidecar.ack(first);

    cp.register(TestRequests.instance("billing", "billing-1"));
    cp.register(TestRequests.instance("search", "search-1"));
    cp.passDebounce();

    DiscoveryResponse later = sidecar.next();
    assertThat(later.getServicesList()).extracting(ServiceEndpoints::getService)
        .containsExactlyInAnyOrder("billing", "search");
    JsonNode entry = cp.getJson("/v1/sidecars").get("sidecars").get(0);
    assertThat(entry.get("wildcard").asBoolean()).isTrue();
  }

  @Test
  void route_isPushedWhenAServiceStartsServingItsGrpcService() throws Exception {
    TestSidecar sidecar = cp.sidecar("sidecar-a");
    sidecar.subscribeRoutes("helloworld.Greeter");
    DiscoveryResponse first = sidecar.next();
    assertThat(first.getRoutesList())
        .singleElement()
        .satisfies(route -> assertThat(route.getServicesList()).isEmpty());
    sidecar.ack(first);

    cp.register(TestRequests.instance("greeter", "greeter-1"));
    cp.passDebounce();

    DiscoveryResponse push = sidecar.next();
    assertThat(push.getServicesList()).isEmpty();
    assertThat(push.getRoutesList())
        .singleElement()
        .satisfies(
            route -> {
              assertThat(route.getGrpcService()).isEqualTo("helloworld.Greeter");
              assertThat(route.getServicesList()).containsExactly("greeter");
            });
    sidecar.ack(push);

    cp.register(TestRequests.instance("greeter-canary", "canary-1"));
    cp.passDebounce();
    assertThat(sidecar.next().getRoutesList())
        .singleElement()
        .extracting(GrpcRoute::getServicesList)
        .isEqualTo(List.of("greeter", "greeter-canary"));
  }

  @Test
  void register_invalid_isRejectedThroughTheRealServerNamingTheField_andStoresNothing()
      throws Exception {
    cp.register(TestRequests.instance("greeter", "greeter-1"));
    String servicesBefore = cp.get("/v1/services").body();
    String greeterBefore = cp.get("/v1/services/greeter").body();

    List<Arguments> cases = InvalidRegistrations.cases().toList();
    for (Arguments arguments : cases) {
      Object[] args = arguments.get();
      RegisterRequest request = (RegisterRequest) args[1];
      String expected = (String) args[2];
      assertThatThrownBy(() -> cp.registration().register(request))
          .as("%s", args[0])
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription()).contains(expected);
              });
    }
    RegisterRequest badPortForExisting =
        TestRequests.request(
            TestRequests.instance("greeter", "greeter-1").toBuilder().setPort(70000).build(),
            "node-greeter-1");
    assertThatThrownBy(() -> cp.registration().register(badPortForExisting))
        .hasMessageContaining("instance.port: 70000");

    assertThat(cases).hasSizeGreaterThan(20);
    assertThat(cp.get("/v1/services").body()).isEqualTo(servicesBefore);
    assertThat(cp.get("/v1/services/greeter").body()).isEqualTo(greeterBefore);
  }

  @Test
  void discovery_invalidSubscription_endsTheStreamWithInvalidArgumentNamingIt() throws Exception {
    TestSidecar sidecar = cp.sidecar("sidecar-a");
    sidecar.subscribe("greeter", "Not_A_Service");

    Status status = sidecar.awaitClosed();

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("Not_A_Service");
    assertThat(cp.getJson("/v1/sidecars").get("connectedSidecars").asInt()).isZero();
  }

  @Test
  void grpcHealthAndReflection_areServedBesideTheMeshServices() throws Exception {
    HealthCheckResponse health =
        HealthGrpc.newBlockingStub(cp.channel())
            .withDeadlineAfter(20, TimeUnit.SECONDS)
            .check(
                HealthCheckRequest.newBuilder()
                    .setService(DiscoveryServiceGrpc.SERVICE_NAME)
                    .build());
    assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    CompletableFuture<ServerReflectionResponse> listed = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(cp.channel())
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse response) {
                    listed.complete(response);
                  }

                  @Override
                  public void onError(Throwable t) {
                    listed.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    List<String> services =
        listed.get(20, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
            .map(ServiceResponse::getName)
            .toList();
    requests.onCompleted();

    assertThat(services)
        .contains(
            DiscoveryServiceGrpc.SERVICE_NAME,
            RegistrationServiceGrpc.SERVICE_NAME,
            HealthGrpc.SERVICE_NAME);
  }

  @Test
  void close_turnsHealthNotServing_andEndsDiscoveryStreamsWithUnavailable() throws Exception {
    TestSidecar sidecar = cp.sidecar("sidecar-a");
    sidecar.subscribe("greeter");
    sidecar.next();
    BlockingQueue<HealthCheckResponse.ServingStatus> health = new LinkedBlockingQueue<>();
    HealthGrpc.newStub(cp.channel())
        .watch(
            HealthCheckRequest.getDefaultInstance(),
            new StreamObserver<>() {
              @Override
              public void onNext(HealthCheckResponse response) {
                health.add(response.getStatus());
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
    assertThat(health.poll(20, TimeUnit.SECONDS))
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    CompletableFuture<Void> closed = CompletableFuture.runAsync(cp.controlPlane::close);

    assertThat(health.poll(20, TimeUnit.SECONDS))
        .isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
    Status ended = sidecar.awaitClosed();
    assertThat(ended.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(ended.getDescription()).contains("shutting down");
    closed.get(20, TimeUnit.SECONDS);
    assertThat(cp.controlPlane.isServing()).isFalse();
  }

  private void awaitAckedVersion(String nodeId, String version) {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              JsonNode sidecars = cp.getJson("/v1/sidecars").get("sidecars");
              JsonNode entry = null;
              for (JsonNode candidate : sidecars) {
                if (candidate.get("nodeId").asText().equals(nodeId)) {
                  entry = candidate;
                }
              }
              assertThat(entry).as("sidecar %s", nodeId).isNotNull();
              assertThat(entry.get("lastAckedVersion").asText()).isEqualTo(version);
            });
  }
}
