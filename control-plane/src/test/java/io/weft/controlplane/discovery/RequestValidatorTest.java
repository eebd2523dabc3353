package io.weft.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.KnownService;
import io.weft.mesh.v1.Node;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {

  private static final Node NODE =
      Node.newBuilder().setId("sidecar-1").setService("greeter").setInstanceId("g-1").build();

  @Test
  void firstRequest_withValidNodeAndState_isOk() {
    DiscoveryRequest request =
        DiscoveryRequest.newBuilder()
            .setNode(NODE.toBuilder().setZone("eu-west-1a"))
            .putInitialServiceState(
                "greeter", KnownService.newBuilder().addInstanceIds("g-1").build())
            .build();

    assertThat(RequestValidator.validateFirst(request).isOk()).isTrue();
  }

  @Test
  void firstRequest_withoutNodeId_namesTheField() {
    Status status = RequestValidator.validateFirst(DiscoveryRequest.getDefaultInstance());

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).startsWith("node.id: missing");
  }

  @Test
  void firstRequest_withBadNodeFieldsAndState_namesEveryOne() {
    DiscoveryRequest request =
        DiscoveryRequest.newBuilder()
            .setNode(
                Node.newBuilder()
                    .setId("x".repeat(254))
                    .setService("Greeter")
                    .setInstanceId("g 1")
                    .setZone("zone/a"))
            .putInitialServiceState(
                "Bad", KnownService.newBuilder().addInstanceIds("ok").addInstanceIds("").build())
            .build();

    String description = RequestValidator.validateFirst(request).getDescription();

    assertThat(description)
        .contains("node.id: \"xxxx")
        .contains("node.service: \"Greeter\"")
        .contains("node.instance_id: \"g 1\"")
        .contains("node.zone: \"zone/a\"")
        .contains("initial_service_state[\"Bad\"]: \"Bad\" (expected: a DNS-1123 label)")
        .contains("initial_service_state[\"Bad\"].instance_ids[1]: \"\"");
  }

  @Test
  void subscriptions_acceptLabelsWildcardAndGrpcServiceNames() {
    DiscoveryRequest request =
        DiscoveryRequest.newBuilder()
            .addServiceNamesSubscribe("greeter")
            .addServiceNamesSubscribe("*")
            .addServiceNamesUnsubscribe("a-1")
            .addRouteNamesSubscribe("helloworld.Greeter")
            .addRouteNamesUnsubscribe("_Svc")
            .build();

    assertThat(RequestValidator.validateSubscriptions(request).isOk()).isTrue();
  }

  @Test
  void subscriptions_withBadNames_nameEachFieldIndexAndValue() {
    DiscoveryRequest request =
        DiscoveryRequest.newBuilder()
            .addServiceNamesSubscribe("greeter")
            .addServiceNamesSubscribe("-bad")
            .addServiceNamesUnsubscribe("a".repeat(64))
            .addRouteNamesSubscribe("hello..Greeter")
            .addRouteNamesUnsubscribe("")
            .build();

    Status status = RequestValidator.validateSubscriptions(request);

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription())
        .contains("service_names_subscribe[1]: \"-bad\"")
        .contains("service_names_unsubscribe[0]: \"aaaa")
        .contains("route_names_subscribe[0]: \"hello..Greeter\"")
        .contains("route_names_unsubscribe[0]: \"\"")
        .doesNotContain("\"greeter\"");
  }

  @Test
  void longNames_areShortenedInTheMessage() {
    DiscoveryRequest request =
        DiscoveryRequest.newBuilder().addRouteNamesSubscribe("a.".repeat(200)).build();

    assertThat(RequestValidator.validateSubscriptions(request).getDescription())
        .hasSizeLessThan(250)
        .contains("\"... (400 chars)");
  }
}
