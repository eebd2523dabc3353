package io.weft.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.common.PrometheusMetrics;
import io.weft.controlplane.admin.ControlPlaneAdmin;
import io.weft.controlplane.discovery.DiscoveryOptions;
import io.weft.controlplane.discovery.DiscoveryServer;
import io.weft.controlplane.discovery.TestSidecar;
import io.weft.controlplane.registry.Registry;
import io.weft.controlplane.registry.RegistryOptions;
import io.weft.controlplane.registry.TestRequests;
import io.weft.mesh.v1.DeregisterRequest;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.RegisterResponse;
import io.weft.testing.FakeClock;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every admin HTTP endpoint of a running control plane: status, content type and JSON shape. */
class ControlPlaneAdminTest {

  private TestControlPlane cp;
  private RegisterResponse greeter1;
  private RegisterResponse billing1;

  @BeforeEach
  void startWithThreeInstances() throws Exception {
    cp = TestControlPlane.start("cp-admin");
    greeter1 = cp.register(TestRequests.instance("greeter", "greeter-1"));
    cp.register(
        TestRequests.instance("greeter", "greeter-2").toBuilder()
            .setHealth(HealthStatus.NOT_SERVING)
            .setAddress("10.0.0.8")
            .build());
    billing1 =
        cp.register(
            TestRequests.instance("billing", "billing-1").toBuilder()
                .clearGrpcServices()
                .addGrpcServices("shop.Billing")
                .build());
    cp.registration()
        .deregister(DeregisterRequest.newBuilder().setLeaseId(billing1.getLeaseId()).build());
  }

  @AfterEach
  void stop() {
    cp.close();
  }

  @Test
  void healthz_answersOkWhileServing() throws Exception {
    HttpResponse<String> response = cp.get("/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body().strip()).isEqualTo("ok");
  }

  @Test
  void healthz_answers503WhenNotServing() throws Exception {
    FakeClock clock = new FakeClock();
    PrometheusMetrics metrics = new PrometheusMetrics();
    Registry registry =
        new Registry(
            RegistryOptions.defaults(), clock.ticker(), clock.scheduler(), metrics.registry());
    DiscoveryServer discovery =
        new DiscoveryServer(
            registry.snapshot(),
            clock.ticker(),
            clock.scheduler(),
            Runnable::run,
            DiscoveryOptions.of("cp-stopping"),
            metrics.registry());
    try (ControlPlaneAdmin admin =
        new ControlPlaneAdmin("127.0.0.1", 0, registry, discovery, metrics, () -> false).start()) {
      HttpResponse<String> response =
          cp.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/healthz")));

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(TestControlPlane.parse(response.body()).get("error").asText())
          .contains("shutting down");
    } finally {
      discovery.close();
      registry.close();
      metrics.close();
    }
  }

  @Test
  void services_listsEveryServiceSorted_withCountsByHealth() throws Exception {
    JsonNode list = cp.getJson("/v1/services");

    assertThat(fields(list)).containsExactly("revision", "services");
    assertThat(list.get("revision").asLong()).isEqualTo(4);
    JsonNode services = list.get("services");
    assertThat(services).hasSize(2);
    JsonNode billing = services.get(0);
    assertThat(fields(billing))
        .containsExactly("name", "revision", "instances", "health", "grpcServices");
    assertThat(billing.get("name").asText()).isEqualTo("billing");
    assertThat(billing.get("revision").asLong()).isEqualTo(4);
    assertThat(billing.get("health").get("draining").asInt()).isEqualTo(1);
    JsonNode greeter = services.get(1);
    assertThat(greeter.get("name").asText()).isEqualTo("greeter");
    assertThat(greeter.get("revision").asLong()).isEqualTo(2);
    assertThat(greeter.get("instances").asInt()).isEqualTo(2);
    assertThat(fields(greeter.get("health"))).containsExactly("serving", "notServing", "draining");
    assertThat(greeter.get("health").get("serving").asInt()).isEqualTo(1);
    assertThat(greeter.get("health").get("notServing").asInt()).isEqualTo(1);
    assertThat(greeter.get("health").get("draining").asInt()).isZero();
    assertThat(greeter.get("grpcServices").get(0).asText()).isEqualTo("helloworld.Greeter");
  }

  @Test
  void service_showsEveryInstanceField_andItsLease() throws Exception {
    cp.forward(Duration.ofMillis(2500));

    JsonNode greeter = cp.getJson("/v1/services/greeter");

    assertThat(fields(greeter)).containsExactly("name", "revision", "instances");
    JsonNode instance = greeter.get("instances").get(0);
    assertThat(fields(instance))
        .containsExactly(
            "instanceId", "address", "port", "zone", "weight", "health", "metadata",
            "grpcServices", "lease");
    assertThat(instance.get("instanceId").asText()).isEqualTo("greeter-1");
    assertThat(instance.get("address").asText()).isEqualTo("10.0.0.7");
    assertThat(instance.get("port").asInt()).isEqualTo(15006);
    assertThat(instance.get("zone").asText()).isEqualTo("zone-a");
    assertThat(instance.get("weight").asInt()).isEqualTo(100);
    assertThat(instance.get("health").asText()).isEqualTo("SERVING");
    assertThat(instance.get("metadata").get("version").asText()).isEqualTo("v1");
    assertThat(instance.get("grpcServices").get(0).asText()).isEqualTo("helloworld.Greeter");
    JsonNode lease = instance.get("lease");
    assertThat(fields(lease)).containsExactly("leaseId", "nodeId", "ttl", "timeLeft", "state");
    assertThat(lease.get("leaseId").asText()).isEqualTo(greeter1.getLeaseId());
    assertThat(lease.get("nodeId").asText()).isEqualTo("node-greeter-1");
    assertThat(lease.get("ttl").asText()).isEqualTo("10s");
    assertThat(lease.get("timeLeft").asText()).isEqualTo("7.5s");
    assertThat(lease.get("state").asText()).isEqualTo("ACTIVE");
    assertThat(greeter.get("instances").get(1).get("health").asText()).isEqualTo("NOT_SERVING");

    JsonNode billingLease = cp.getJson("/v1/services/billing").get("instances").get(0).get("lease");
    assertThat(billingLease.get("state").asText()).isEqualTo("DRAINING");
    assertThat(billingLease.get("timeLeft").asText()).isEqualTo("27.5s");
  }

  @Test
  void service_unknown_is404NamingIt() throws Exception {
    HttpResponse<String> response = cp.get("/v1/services/payments");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(TestControlPlane.parse(response.body()).get("error").asText()).contains("payments");
  }

  @Test
  void service_badName_is400NamingIt() throws Exception {
    HttpResponse<String> response = cp.get("/v1/services/Not_A_Service");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(TestControlPlane.parse(response.body()).get("error").asText())
        .contains("service name: \"Not_A_Service\"")
        .contains("expected");
  }

  @Test
  void sidecars_showEveryConnectedSidecarLikeProxyStatus() throws Exception {
    TestSidecar sidecar = cp.sidecar("sidecar-a");
    sidecar.subscribe("greeter");
    sidecar.subscribeRoutes("helloworld.Greeter");
    sidecar.next();

    JsonNode status = cp.getJson("/v1/sidecars");

    assertThat(fields(status))
        .containsExactly("warmingUp", "connectedSidecars", "pushes", "acks", "nacks", "sidecars");
    assertThat(status.get("warmingUp").asBoolean()).isFalse();
    assertThat(status.get("connectedSidecars").asInt()).isEqualTo(1);
    JsonNode entry = status.get("sidecars").get(0);
    assertThat(fields(entry))
        .containsExactly(
            "nodeId", "service", "instanceId", "zone", "peer", "subscribedServices", "wildcard",
            "subscribedRoutes", "lastSentVersion", "lastSentNonce", "lastAckedVersion", "sync",
            "pushes", "acks", "nacks", "connectedSince");
    assertThat(entry.get("nodeId").asText()).isEqualTo("sidecar-a");
    assertThat(entry.get("zone").asText()).isEqualTo("zone-a");
    assertThat(entry.get("peer").asText()).contains("127.0.0.1");
    assertThat(entry.get("subscribedRoutes").get(0).asText()).isEqualTo("helloworld.Greeter");
    assertThat(entry.get("lastSentVersion").asText()).isEqualTo("4");
    assertThat(entry.get("sync").asText()).isEqualTo("STALE");
    assertThat(entry.get("connectedSince").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
  }

  @Test
  void leases_listEveryLease() throws Exception {
    JsonNode leases = cp.getJson("/v1/leases");

    assertThat(fields(leases)).containsExactly("selfPreservation", "leases");
    assertThat(leases.get("selfPreservation").asBoolean()).isFalse();
    assertThat(leases.get("leases")).hasSize(3);
    JsonNode billing = leases.get("leases").get(0);
    assertThat(fields(billing))
        .containsExactly(
            "leaseId", "service", "instanceId", "nodeId", "ttl", "timeLeft", "state");
    assertThat(billing.get("leaseId").asText()).isEqualTo(billing1.getLeaseId());
    assertThat(billing.get("state").asText()).isEqualTo("DRAINING");
  }

  @Test
  void metrics_exposeRegistryDiscoveryAndJvmMetrics() throws Exception {
    HttpResponse<String> response = cp.get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/plain"));
    assertThat(response.body())
        .contains("weft_registry_instances{health=\"serving\"} 1.0")
        .contains("weft_registry_instances{health=\"draining\"} 1.0")
        .contains("weft_registry_revision 4.0")
        .contains("weft_registry_changes_total 4.0")
        .contains("weft_leases_expired_total")
        .contains("weft_discovery_connected_sidecars")
        .contains("weft_discovery_pushes_total")
        .contains("weft_discovery_push_latency_seconds_bucket")
        .contains("weft_discovery_acks_total")
        .contains("weft_discovery_nacks_total")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void unknownPath_is404WithAJsonError() throws Exception {
    HttpResponse<String> response = cp.get("/v1/nothing");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(TestControlPlane.parse(response.body()).get("error").asText())
        .contains("/v1/nothing");
  }

  @Test
  void post_is405WithAJsonError() throws Exception {
    HttpResponse<String> response =
        cp.send(
            HttpRequest.newBuilder(cp.adminUri("/v1/services"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(TestControlPlane.parse(response.body()).get("error").asText()).contains("POST");
  }

  private static List<String> fields(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
