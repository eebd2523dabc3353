package io.weft.sidecar.discovery;

import static io.weft.sidecar.discovery.TestResources.instance;
import static io.weft.sidecar.discovery.TestResources.response;
import static io.weft.sidecar.discovery.TestResources.route;
import static io.weft.sidecar.discovery.TestResources.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseValidatorTest {

  private static List<String> validateService(Instance... instances) {
    return ResponseValidator.validate(response("1", "n", service("greeter", 1, instances)));
  }

  @Test
  void validResponse_hasNoErrors() {
    DiscoveryResponse response =
        response(
            "1",
            "n",
            List.of(
                service("greeter", 1, instance("greeter", "g-1", 8080), instance("greeter", "g-2",
                    65535)),
                service("empty", 1)),
            List.of(route("helloworld.Greeter", 1, "greeter"), route("a.B", 1)));

    assertThat(ResponseValidator.validate(response)).isEmpty();
  }

  @Test
  void badPort_namesServiceInstanceAndValue() {
    assertThat(validateService(instance("greeter", "g-1", 0)))
        .containsExactly("service greeter: instances[0].port: 0 (expected: 1..65535)");
    assertThat(validateService(instance("greeter", "g-1", 70000)))
        .containsExactly("service greeter: instances[0].port: 70000 (expected: 1..65535)");
  }

  @Test
  void badWeight_isAnError() {
    assertThat(validateService(instance("greeter", "g-1", 1).toBuilder().setWeight(0).build()))
        .containsExactly("service greeter: instances[0].weight: 0 (expected: 1..1000)");
    assertThat(validateService(instance("greeter", "g-1", 1).toBuilder().setWeight(1001).build()))
        .containsExactly("service greeter: instances[0].weight: 1001 (expected: 1..1000)");
  }

  @Test
  void unspecifiedOrUnknownHealth_isAnError() {
    assertThat(
            validateService(
                instance("greeter", "g-1", 1).toBuilder()
                    .setHealth(HealthStatus.HEALTH_STATUS_UNSPECIFIED)
                    .build(),
                instance("greeter", "g-2", 1).toBuilder().setHealthValue(42).build()))
        .containsExactly(
            "service greeter: instances[0].health: HEALTH_STATUS_UNSPECIFIED "
                + "(expected: SERVING, NOT_SERVING or DRAINING)",
            "service greeter: instances[1].health: 42 "
                + "(expected: SERVING, NOT_SERVING or DRAINING)");
  }

  @Test
  void instanceOfAnotherService_isAnError() {
    assertThat(validateService(instance("other", "g-1", 1)))
        .containsExactly("service greeter: instances[0].service: \"other\" (expected: \"greeter\")");
  }

  @Test
  void emptyOrDuplicateInstanceId_isAnError() {
    assertThat(validateService(instance("greeter", "", 1)))
        .containsExactly("service greeter: instances[0].instance_id: \"\" (expected: non-empty)");
    assertThat(validateService(instance("greeter", "g-1", 1), instance("greeter", "g-1", 2)))
        .containsExactly(
            "service greeter: instances[1].instance_id: \"g-1\" "
                + "(expected: unique within the service)");
  }

  @Test
  void emptyAddress_isAnError() {
    assertThat(validateService(instance("greeter", "g-1", 1).toBuilder().setAddress("").build()))
        .containsExactly("service greeter: instances[0].address: \"\" (expected: non-empty)");
  }

  @Test
  void invalidServiceName_isAnError() {
    List<String> errors = ResponseValidator.validate(response("1", "n", service("Bad_Name", 1)));

    assertThat(errors).singleElement().asString().startsWith("services[0].service: \"Bad_Name\"");
  }

  @Test
  void duplicateResourceNames_areErrors() {
    DiscoveryResponse response =
        response(
            "1",
            "n",
            List.of(service("greeter", 1), service("greeter", 2)),
            List.of(route("a.B", 1), route("a.B", 2)));

    assertThat(ResponseValidator.validate(response))
        .containsExactly(
            "service greeter: sent twice in one response", "route a.B: sent twice in one response");
  }

  @Test
  void invalidRoute_isAnError() {
    DiscoveryResponse response =
        response("1", "n", List.of(), List.of(route("", 1), route("a.B", 1, "ok", "Not_Ok")));

    List<String> errors = ResponseValidator.validate(response);

    assertThat(errors).hasSize(2);
    assertThat(errors.get(0)).startsWith("routes[0].grpc_service: \"\" (expected: ");
    assertThat(errors.get(1)).startsWith("route a.B: services[1]: \"Not_Ok\" (expected: ");
  }

  @Test
  void everyErrorInEveryResourceIsReported() {
    DiscoveryResponse response =
        response(
            "1",
            "n",
            service("a", 1, instance("a", "a-1", 0)),
            service("b", 1, instance("b", "b-1", 1).toBuilder().setAddress("").build()));

    assertThat(ResponseValidator.validate(response))
        .containsExactly(
            "service a: instances[0].port: 0 (expected: 1..65535)",
            "service b: instances[0].address: \"\" (expected: non-empty)");
  }

  @Test
  void describe_joinsErrors_andCountsThoseBeyondTheLimit() {
    assertThat(ResponseValidator.describe(List.of("x", "y"))).isEqualTo("x; y");

    List<String> many = new ArrayList<>(Collections.nCopies(ResponseValidator.MAX_LISTED_ERRORS,
        "e"));
    many.add("extra1");
    many.add("extra2");
    String described = ResponseValidator.describe(many);
    assertThat(described).endsWith("e; and 2 more errors").doesNotContain("extra");
  }
}
