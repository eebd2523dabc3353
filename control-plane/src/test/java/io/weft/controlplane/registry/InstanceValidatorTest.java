package io.weft.controlplane.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import io.grpc.Status;
import io.weft.common.MeshNames;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.RegisterRequest;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class InstanceValidatorTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.weft.controlplane.registry.InvalidRegistrations#cases")
  void check_rejectsEachRule_namingFieldAndValue(
      String name, RegisterRequest request, String expected) {
    Status status = InstanceValidator.check(request);

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains(expected).contains("(expected: ");
    assertThat(InstanceValidator.validate(request)).hasSize(1);
  }

  @Test
  void check_acceptsValidRequest() {
    assertThat(InstanceValidator.check(TestRequests.request("greeter", "greeter-1")).isOk())
        .isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.7",
        "::1",
        "fe80::1",
        "2001:db8::ff00:42:8329",
        "localhost",
        "greeter-1.greeter.default.svc.cluster.local",
        "Host-1.Example.COM",
        "a1.b2"
      })
  void check_acceptsAddress_ipLiteralOrDnsName(String address) {
    Instance instance =
        TestRequests.instance("greeter", "greeter-1").toBuilder().setAddress(address).build();

    assertThat(InstanceValidator.validate(TestRequests.request(instance, "n"))).isEmpty();
  }

  @Test
  void check_acceptsLimits_atTheirBoundaries() {
    Instance.Builder instance =
        TestRequests.instance("a".repeat(63), "i".repeat(253)).toBuilder()
            .setAddress(InvalidRegistrations.longDnsName(253))
            .setPort(65535)
            .setZone("Z.o_n-e".repeat(9))
            .setWeight(1000)
            .clearMetadata()
            .clearGrpcServices()
            .setHealth(HealthStatus.NOT_SERVING);
    IntStream.range(0, 63).forEach(i -> instance.putMetadata("k" + i, "v"));
    int used =
        instance.getMetadataMap().entrySet().stream()
            .mapToInt(e -> e.getKey().length() + e.getValue().length())
            .sum();
    String lastKey = "a/b.c_d-" + "e".repeat(55);
    instance.putMetadata(lastKey, "x".repeat(16384 - used - lastKey.length()));
    IntStream.range(0, 255).forEach(i -> instance.addGrpcServices("pkg.v1.Service" + i));
    instance.addGrpcServices("_" + "a".repeat(254));
    RegisterRequest request =
        RegisterRequest.newBuilder()
            .setInstance(instance)
            .setNodeId("node 1 (" + "n".repeat(244) + ")")
            .setLeaseTtl(Duration.newBuilder().setSeconds(300))
            .build();

    assertThat(InstanceValidator.validate(request)).isEmpty();
  }

  @Test
  void check_acceptsWeightZeroAndUnspecifiedHealth_asDefaults() {
    Instance instance =
        TestRequests.instance("greeter", "greeter-1").toBuilder()
            .setWeight(0)
            .setHealth(HealthStatus.HEALTH_STATUS_UNSPECIFIED)
            .setZone("")
            .build();

    assertThat(InstanceValidator.validate(TestRequests.request(instance, "n"))).isEmpty();
  }

  @Test
  void validate_reportsEveryError_atOnce() {
    Instance instance =
        Instance.newBuilder()
            .setService("Bad_Service")
            .setInstanceId("")
            .setAddress("not an address")
            .setPort(70000)
            .setWeight(5000)
            .build();

    List<String> errors =
        InstanceValidator.validate(
            RegisterRequest.newBuilder().setInstance(instance).setNodeId("").build());

    assertThat(errors)
        .hasSize(6)
        .anySatisfy(e -> assertThat(e).startsWith("instance.service: \"Bad_Service\""))
        .anySatisfy(e -> assertThat(e).startsWith("instance.instance_id: \"\""))
        .anySatisfy(e -> assertThat(e).startsWith("instance.address: \"not an address\""))
        .anySatisfy(e -> assertThat(e).isEqualTo("instance.port: 70000 (expected: 1..65535)"))
        .anySatisfy(e -> assertThat(e).startsWith("instance.weight: 5000"))
        .anySatisfy(e -> assertThat(e).startsWith("node_id: \"\""));
  }

  @Test
  void check_summarisesErrors_beyondTheReportLimit() {
    Instance.Builder instance = TestRequests.instance("greeter", "greeter-1").toBuilder();
    IntStream.range(0, 100).forEach(i -> instance.addGrpcServices("bad/" + i));

    Status status = InstanceValidator.check(TestRequests.request(instance.build(), "n"));

    assertThat(status.getDescription())
        .contains("instance.grpc_services[1]")
        .doesNotContain("instance.grpc_services[17]")
        .endsWith("; and 84 more errors");
  }

  @Test
  void quote_truncatesLongValues_andEscapes() {
    assertThat(MeshNames.quote("x".repeat(100)))
        .isEqualTo("\"" + "x".repeat(64) + "\"... (100 chars)");
    assertThat(MeshNames.quote("a\"b\\c\u0000")).isEqualTo("\"a\\\"b\\\\c\\u0000\"");
  }
}
