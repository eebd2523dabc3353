package io.weft.e2e;

import static io.weft.e2e.GreeterMesh.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import io.grpc.ManagedChannel;
import io.weft.e2e.GreeterCalls.Answer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Balancing through real sidecar processes, and the README's grpcurl and curl commands made with
 * grpc-java: a control plane, three greeters each with a sidecar and a client sidecar, shared by
 * every test. Each test starts from that mesh with all three instances SERVING and leaves it so,
 * whatever the order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GreeterMeshTest {

  private static final List<String> BASE = List.of("greeter-1", "greeter-2", "greeter-3");
  private static final Duration ONE_SECOND = Duration.ofSeconds(1);
  private static final int LOAD_RATE = 200;

  private GreeterMesh mesh;

  @BeforeAll
  void startMesh() {
    mesh = GreeterMesh.start(BASE.size());
  }

  @AfterAll
  void stopMesh() {
    if (mesh != null) {
      mesh.close();
    }
  }

  @BeforeEach
  void awaitBaseState() {
    mesh.awaitClientView(GreeterMesh.servingView(BASE));
    await().atMost(BOUND).until(() -> answeringInstances(6), Set.copyOf(BASE)::equals);
  }

  @Test
  void roundRobin_spreads600CallsWithinTwentyPercentOfTheMean() {
    List<Answer> answers = new ArrayList<>();
    for (int batch = 0; batch < 30; batch++) {
      List<CompletableFuture<Answer>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(GreeterCalls.sayHello(mesh.channel(), "spread"));
      }
      calls.forEach(call -> answers.add(call.join()));
    }

    assertThat(answers).hasSize(600).allSatisfy(answer -> {
      assertThat(answer.ok()).as("%s", answer).isTrue();
      assertThat(answer.headerMatchesReply()).as("%s", answer).isTrue();
    });
    Map<String, Long> perInstance = answers.stream()
        .collect(Collectors.groupingBy(Answer::instanceId, Collectors.counting()));
    System.out.println("e2e spread of 600 calls: " + perInstance);
    assertThat(perInstance).containsOnlyKeys(BASE);
    assertThat(perInstance.values()).allSatisfy(count -> assertThat(count).isBetween(160L, 240L));
  }

  @Test
  void fourthInstance_joiningUnderLoad_getsCallsWithinOneSecondOfItsRegistration() {
    GreeterLoad load = GreeterLoad.start(mesh.channel(), LOAD_RATE);
    try {
      load.awaitAnswered(50);
      GreeterInstance fourth = mesh.launch("greeter-4").awaitReady();
      long registered = fourth.sidecar().process()
          .firstLineNanos("registered greeter/greeter-4 at ").orElseThrow();
      await().atMost(BOUND).until(() -> load.count(answer -> answeredBy(answer, "greeter-4")) > 0);
      long firstAnswer = load.answers().stream().filter(answer -> answeredBy(answer, "greeter-4"))
          .mapToLong(Answer::endNanos).min().orElseThrow();
      Duration latency = Duration.ofNanos(firstAnswer - registered);
      System.out.println("e2e timing: greeter-4 answered its first call " + latency.toMillis()
          + " ms after its sidecar logged the registration");
      long afterJoin = System.nanoTime();
      load.awaitAnsweredSince(afterJoin, 200);

      assertThat(latency).isLessThanOrEqualTo(ONE_SECOND);
      assertThat(load.okByInstance(answer -> answer.startNanos() >= afterJoin))
          .containsOnlyKeys("greeter-1", "greeter-2", "greeter-3", "greeter-4");

      fourth.sidecar().terminate();
      assertThat(fourth.sidecar().awaitExit(BOUND.multipliedBy(2))).isZero();
      mesh.remove("greeter-4");
      mesh.awaitClientView(GreeterMesh.servingView(BASE));
    } finally {
      load.close();
      mesh.remove("greeter-4");
    }
    assertThat(load.failures()).isEmpty();
    assertThat(load.answers()).allSatisfy(answer ->
        assertThat(answer.headerMatchesReply()).as("%s", answer).isTrue());
  }

  @Test
  void instanceTurningNotServing_underLoad_stopsGettingCallsWithinOneSecond() {
    GreeterInstance victim = mesh.instance("greeter-2");
    GreeterLoad load = GreeterLoad.start(mesh.channel(), LOAD_RATE);
    try {
      load.awaitAnswered(50);
      long flipped = System.nanoTime();
      victim.app().setServing(false);
      try {
        load.awaitAnsweredSince(flipped + ONE_SECOND.toNanos(), 100);
        long lastAnswer = load.answers().stream().filter(answer -> answeredBy(answer, "greeter-2"))
            .mapToLong(Answer::endNanos).max().orElseThrow();
        Duration latency = Duration.ofNanos(Math.max(0, lastAnswer - flipped));
        System.out.println("e2e timing: greeter-2 answered its last call " + latency.toMillis()
            + " ms after it turned NOT_SERVING");

        assertThat(latency).isLessThanOrEqualTo(ONE_SECOND);
        assertThat(load.okByInstance(answer -> answer.startNanos() >= flipped + ONE_SECOND
            .toNanos())).containsOnlyKeys("greeter-1", "greeter-3");
        assertThat(mesh.clientView()).containsEntry("greeter-2", "NOT_SERVING");
      } finally {
        victim.app().setServing(true);
      }
      mesh.awaitClientView(GreeterMesh.servingView(BASE));
    } finally {
      load.close();
    }
    assertThat(load.failures()).isEmpty();
  }

  @Test
  void readme_sayHelloThroughTheClientSidecar_routedByAuthority() {
    Answer answer = GreeterCalls.sayHelloNow(mesh.channel(), "you");

    assertThat(answer.ok()).as("%s", answer).isTrue();
    assertThat(answer.upstream()).matches("greeter/greeter-[123]");
    assertThat(answer.message()).isEqualTo("Hello, you from " + answer.instanceId());
  }

  @Test
  void readme_sayHelloThroughTheClientSidecar_routedByGrpcServiceName() {
    ManagedChannel noAuthority = GreeterCalls.channel(mesh.client().outboundPort(), null);
    try {
      Answer answer = GreeterCalls.sayHelloNow(noAuthority, "you");

      assertThat(answer.ok()).as("%s", answer).isTrue();
      assertThat(answer.upstream()).matches("greeter/greeter-[123]");
      assertThat(answer.message()).isEqualTo("Hello, you from " + answer.instanceId());
    } finally {
      noAuthority.shutdownNow();
    }
  }

  @Test
  void readme_listDescribeAndSayHello_directlyAgainstOneGreeter() {
    ManagedChannel direct =
        GreeterCalls.channel(mesh.instance("greeter-1").app().port(), null);
    try {
      ReflectionClient reflection = new ReflectionClient(direct);

      assertThat(reflection.listServices()).contains("helloworld.Greeter");
      assertThat(reflection.fileContainingSymbol("helloworld.Greeter"))
          .flatExtracting(FileDescriptorProto::getServiceList)
          .filteredOn(service -> service.getName().equals("Greeter"))
          .singleElement()
          .satisfies(greeter -> assertThat(greeter.getMethodList())
              .extracting(MethodDescriptorProto::getName).contains("SayHello"));
      Answer answer = GreeterCalls.sayHelloNow(direct, "you");
      assertThat(answer.ok()).as("%s", answer).isTrue();
      assertThat(answer.message()).isEqualTo("Hello, you from greeter-1");
      assertThat(answer.upstream()).as("no sidecar on the way").isNull();
    } finally {
      direct.shutdownNow();
    }
  }

  @Test
  void readme_adminEndpoints_answer200Json() {
    Map<AdminHttp, List<String>> curls = Map.of(
        mesh.client().admin(), List.of("/clusters", "/config_dump"),
        mesh.controlPlane().admin(), List.of("/v1/services/greeter", "/v1/sidecars"));

    curls.forEach((admin, paths) -> paths.forEach(path -> {
      AdminHttp.Reply reply = admin.get(path);
      assertThat(reply.status()).as(path).isEqualTo(200);
      assertThat(reply.contentType()).as(path).startsWith("application/json");
      assertThat(reply.json().isObject()).as(path).isTrue();
    }));
    assertThat(mesh.clientView()).isEqualTo(GreeterMesh.servingView(BASE));
    assertThat(GreeterMesh.registered(mesh.controlPlane().admin()))
        .isEqualTo(GreeterMesh.servingView(BASE));
    // Only sidecars that call out subscribe (on demand): here the client's.
    assertThat(mesh.controlPlane().admin().json("/v1/sidecars").get("sidecars"))
        .singleElement()
        .satisfies(client -> {
          assertThat(client.get("instanceId").asText()).isEqualTo("client-1");
          assertThat(client.get("subscribedServices")).extracting(JsonNode::asText)
              .containsExactly("greeter");
        });
  }

  private static boolean answeredBy(Answer answer, String instanceId) {
    return answer.ok() && instanceId.equals(answer.instanceId());
  }

  /** The instances that answer {@code calls} calls in a row. */
  private Set<String> answeringInstances(int calls) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < calls; i++) {
      Answer answer = GreeterCalls.sayHelloNow(mesh.channel(), "warm-up");
      if (answer.ok()) {
        seen.add(answer.instanceId());
      }
    }
    return seen;
  }
}
