package io.weft.sidecar;

import static io.weft.sidecar.TestMesh.SERVICE;
import static io.weft.sidecar.TestMesh.answeredBy;
import static io.weft.sidecar.TestMesh.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.weft.sidecar.proxy.ByteArrayMarshaller;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The sidecar wired for real, in process: a small control plane, three apps each behind a full
 * sidecar, and a client sidecar the test calls through, all on loopback; one mesh for every test
 * here, none of which changes it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SidecarRoutingTest {

  private TestMesh mesh;

  @BeforeAll
  void setUp() throws IOException {
    mesh = TestMesh.start(3);
  }

  @AfterAll
  void tearDown() {
    mesh.close();
  }

  @Test
  void calls_spreadAcrossEveryInstance_andNameTheUpstream() {
    List<String> results = IntStream.range(0, 300).mapToObj(i -> call(mesh.byAuthority)).toList();

    Map<String, Long> byInstance = results.stream()
        .collect(Collectors.groupingBy(TestMesh::answeredBy, Collectors.counting()));
    assertThat(byInstance).containsOnlyKeys("echo-1", "echo-2", "echo-3");
    assertThat(byInstance.values()).allSatisfy(count -> assertThat(count).isBetween(80L, 120L));
    assertThat(results).allSatisfy(result ->
        assertThat(result).isEqualTo(answeredBy(result) + "|echo/" + answeredBy(result)));
  }

  @Test
  void call_withoutAuthority_isRoutedByItsGrpcServiceName() {
    String result = call(mesh.clientApp);

    assertThat(result).matches("echo-[123]\\|echo/echo-[123]");
  }

  @Test
  void call_toAnUnknownGrpcService_isUnavailableNamingIt() {
    StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class,
        () -> ClientCalls.blockingUnaryCall(mesh.clientApp, NOWHERE,
            CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0]));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(error.getStatus().getDescription()).contains("test.Nowhere");
  }

  @Test
  void admin_showsReadinessClustersAndConfigDump() {
    call(mesh.byAuthority);
    call(mesh.clientApp);
    AdminClient client = mesh.admin(mesh.client);
    AdminClient first = mesh.admin(mesh.sidecars.get(0));

    JsonNode ready = client.get("/ready").json();
    assertThat(ready.get("ready").asBoolean()).isTrue();
    assertThat(ready.has("agentPhase")).isFalse();
    assertThat(first.get("/ready").json().get("agentPhase").asText()).isEqualTo("REGISTERED");
    assertThat(client.get("/healthz").status()).isEqualTo(200);

    JsonNode echo = client.get("/clusters").json().get("services").get(0);
    assertThat(echo.get("service").asText()).isEqualTo(SERVICE);
    assertThat(echo.get("state").asText()).isEqualTo("READY");
    assertThat(echo.get("endpoints")).hasSize(3).allSatisfy(endpoint -> {
      assertThat(endpoint.get("instanceId").asText()).startsWith("echo-");
      assertThat(endpoint.get("address").asText()).startsWith("127.0.0.1:");
      assertThat(endpoint.get("health").asText()).isEqualTo("SERVING");
      assertThat(endpoint.get("weight").asInt()).isEqualTo(100);
      assertThat(endpoint.get("state").asText()).isEqualTo("READY");
      assertThat(endpoint.has("inFlight")).isTrue();
    });
    long picks = 0;
    for (JsonNode endpoint : echo.get("endpoints")) {
      picks += endpoint.get("picks").asLong();
    }
    assertThat(picks).isGreaterThanOrEqualTo(1);

    JsonNode dump = client.get("/config_dump").json();
    JsonNode discovery = dump.get("discovery");
    assertThat(discovery.get("connected").asBoolean()).isTrue();
    assertThat(discovery.get("controlPlaneId").asText()).isEqualTo("cp-1");
    assertThat(discovery.get("lastResponse").asText()).isEqualTo("ACKED");
    assertThat(discovery.get("lastAckedVersion").asText())
        .isEqualTo(discovery.get("lastReceivedVersion").asText());
    assertThat(discovery.get("lastReceivedNonce").asText()).isNotEmpty();
    assertThat(discovery.get("services").get(SERVICE).get("instances")).hasSize(3);
    assertThat(discovery.get("routes").get(WhoAmIApp.GRPC_SERVICE).get("services").get(0).asText())
        .isEqualTo(SERVICE);
    assertThat(dump.has("agent")).isFalse();
    assertThat(dump.get("config").get("serviceConfig").toString()).contains("weft_mesh");
    JsonNode agent = first.get("/config_dump").json().get("agent");
    assertThat(agent.get("phase").asText()).isEqualTo("REGISTERED");
    assertThat(agent.get("grpcServices").toString()).contains(WhoAmIApp.GRPC_SERVICE);

    assertThat(client.get("/metrics").body())
        .contains("weft_proxy_requests_total{", "weft_discovery_client_responses_total",
            "jvm_memory_used_bytes");
  }

  private static final MethodDescriptor<byte[], byte[]> NOWHERE =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test.Nowhere/Call")
          .setRequestMarshaller(ByteArrayMarshaller.INSTANCE)
          .setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
          .build();
}
