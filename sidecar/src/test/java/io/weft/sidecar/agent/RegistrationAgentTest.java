package io.weft.sidecar.agent;

import static io.weft.mesh.v1.HealthStatus.HEALTH_STATUS_UNSPECIFIED;
import static io.weft.mesh.v1.HealthStatus.NOT_SERVING;
import static io.weft.mesh.v1.HealthStatus.SERVING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.KeepAliveRequest;
import io.weft.mesh.v1.LeaseEvent;
import io.weft.mesh.v1.RegisterRequest;
import io.weft.sidecar.agent.AgentState.Phase;
import io.weft.sidecar.agent.FakeApp.Reflection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RegistrationAgentTest extends AgentTestSupport {

  @Test
  void registersTheInstance_withTheServicesFromReflection() {
    app = FakeApp.withHealth(Reflection.V1);

    startAgent(options().grpcServices(List.of("configured.Ignored")).build());
    awaitKeepAlives(1);

    RegisterRequest request = controlPlane.registers.get(0);
    assertThat(request.getNodeId()).isEqualTo("node-1");
    assertThat(request.getLeaseTtl().getSeconds()).isEqualTo(9);
    assertThat(request.getInstance()).isEqualTo(Instance.newBuilder()
        .setService("greeter")
        .setInstanceId("greeter-1")
        .setAddress("10.0.0.7")
        .setPort(15006)
        .setZone("a")
        .setWeight(50)
        .putAllMetadata(Map.of("version", "v2"))
        .addGrpcServices("weft.agenttest.Echo")
        .setHealth(SERVING)
        .build());
    assertThat(controlPlane.keepAlives.get(0)).isEqualTo(KeepAliveRequest.newBuilder()
        .setLeaseId(FakeControlPlane.LEASE_ID).setHealth(HEALTH_STATUS_UNSPECIFIED).build());
    AgentState state = agent.state();
    assertThat(state.phase()).isEqualTo(Phase.REGISTERED);
    assertThat(state.registered()).isTrue();
    assertThat(state.leaseId()).isEqualTo(FakeControlPlane.LEASE_ID);
    assertThat(state.reportedHealth()).isEqualTo(SERVING);
    assertThat(state.grpcServices()).containsExactly("weft.agenttest.Echo");
    assertThat(state.superseded()).isFalse();
  }

  @Test
  void registersTheConfiguredServices_whenTheAppHasNoReflection() {
    app = FakeApp.withHealth(Reflection.NONE);

    startAgent(options().grpcServices(List.of("helloworld.Greeter")).build());
    awaitRegisters(1);

    assertThat(controlPlane.registers.get(0).getInstance().getGrpcServicesList())
        .containsExactly("helloworld.Greeter");
  }

  @Test
  void registersNotServing_whenTheAppDoesNotAnswerItsHealthCheck() {
    app = FakeApp.withoutManagedHealth(Reflection.V1, new SilentHealth());
    startAgent(options().healthCheckTimeout(Duration.ofMillis(500)).build());

    clock.forward(499, TimeUnit.MILLISECONDS);
    assertThat(agent.state().phase()).isEqualTo(Phase.STARTING);
    clock.forward(1, TimeUnit.MILLISECONDS);
    awaitRegisters(1);

    assertThat(controlPlane.registers.get(0).getInstance().getHealth()).isEqualTo(NOT_SERVING);
  }

  @Test
  void renews_everyThirdOfTheGrantedTtl() {
    app = FakeApp.withHealth(Reflection.V1);
    controlPlane.ttlSeconds = 6;
    startRegistered();

    clock.forward(1999, TimeUnit.MILLISECONDS);
    assertThat(clock.nanosUntilNextTask()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
    clock.forward(1, TimeUnit.MILLISECONDS);
    awaitKeepAlives(2);
    clock.forward(2, TimeUnit.SECONDS);
    awaitKeepAlives(3);

    assertThat(controlPlane.keepAlives).hasSize(3).allSatisfy(request -> {
      assertThat(request.getLeaseId()).isEqualTo(FakeControlPlane.LEASE_ID);
      assertThat(request.getHealth()).isEqualTo(HEALTH_STATUS_UNSPECIFIED);
    });
    assertThat(controlPlane.registers).hasSize(1);
    assertThat(controlPlane.keepAliveStreams).hasValue(1);
  }

  @Test
  void reportsHealthChanges_onTheKeepAliveStreamAtOnce() {
    app = FakeApp.withHealth(Reflection.V1);
    startRegistered();

    app.health().setStatus("", ServingStatus.NOT_SERVING);
    await().atMost(WAIT).until(() -> controlPlane.reportedHealth().contains(NOT_SERVING));
    assertThat(agent.state().reportedHealth()).isEqualTo(NOT_SERVING);

    app.health().setStatus("", ServingStatus.SERVING);
    await().atMost(WAIT).until(() -> controlPlane.reportedHealth().contains(SERVING));

    assertThat(controlPlane.reportedHealth())
        .containsExactly(HEALTH_STATUS_UNSPECIFIED, NOT_SERVING, SERVING);
    assertThat(agent.state().reportedHealth()).isEqualTo(SERVING);
    assertThat(controlPlane.registers).hasSize(1);
  }

  @Test
  void reportsNotServing_whenTheAppShutsDown() throws InterruptedException {
    app = FakeApp.withHealth(Reflection.V1);
    startRegistered();

    app.shutdownNow();

    await().atMost(WAIT).until(() -> controlPlane.reportedHealth().contains(NOT_SERVING));
    assertThat(agent.state().registered()).isTrue();
  }

  @Test
  void registersAgain_onLeaseNotFound() {
    app = FakeApp.withHealth(Reflection.V1);
    startRegistered();
    clock.forward(3, TimeUnit.SECONDS);
    awaitKeepAlives(2);

    controlPlane.answerNextRenewal(LeaseEvent.LEASE_NOT_FOUND);
    clock.forward(3, TimeUnit.SECONDS);

    awaitRegisters(2);
    awaitKeepAlives(4);
    awaitPhase(Phase.REGISTERED);
    assertThat(controlPlane.registers.get(1)).isEqualTo(controlPlane.registers.get(0));
    assertThat(controlPlane.keepAliveStreams).hasValue(1);
    assertThat(agent.state().registered()).isTrue();
  }

  @Test
  void reconnectsAfterBackoffAndRegistersAgain_whenTheStreamBreaks() {
    app = FakeApp.withHealth(Reflection.V1);
    startRegistered();

    controlPlane.breakStream(Status.UNAVAILABLE.withDescription("control plane restarting"));
    awaitPhase(Phase.RECONNECTING);

    assertThat(clock.nanosUntilNextTask()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    clock.forward(100, TimeUnit.MILLISECONDS);
    awaitRegisters(2);
    awaitKeepAlives(2);
    awaitPhase(Phase.REGISTERED);
    assertThat(controlPlane.keepAliveStreams).hasValue(2);
  }

  @Test
  void backsOffExponentially_whileRegisterFails() {
    app = FakeApp.withHealth(Reflection.V1);
    startRegistered();
    controlPlane.registerFailure = Status.UNAVAILABLE.withDescription("not ready");

    controlPlane.breakStream(Status.UNAVAILABLE);
    awaitPhase(Phase.RECONNECTING);
    clock.forward(100, TimeUnit.MILLISECONDS);
    awaitRegisters(2);
    awaitPhase(Phase.RECONNECTING);
    assertThat(clock.nanosUntilNextTask()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(160));
    clock.forward(160, TimeUnit.MILLISECONDS);
    awaitRegisters(3);
    awaitPhase(Phase.RECONNECTING);
    assertThat(clock.nanosUntilNextTask()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(256));

    controlPlane.registerFailure = null;
    clock.forward(256, TimeUnit.MILLISECONDS);

    awaitRegisters(4);
    awaitPhase(Phase.REGISTERED);
    awaitKeepAlives(2);
  }

  @Test
  void stopsRenewingAndNeverRegistersAgain_whenSuperseded() {
    app = FakeApp.withHealth(Reflection.V1);
    startRegistered();

    controlPlane.push(LeaseEvent.SUPERSEDED);
    awaitPhase(Phase.SUPERSEDED);
    await().atMost(WAIT).until(() -> controlPlane.keepAliveStreamsCancelled.get() == 1);

    assertThat(agent.state().superseded()).isTrue();
    assertThat(agent.state().registered()).isFalse();
    assertThat(clock.pendingTaskCount()).as("only the health check timer").isEqualTo(1);
    clock.forward(1, TimeUnit.MINUTES);
    app.health().setStatus("", ServingStatus.NOT_SERVING);
    clock.forward(1, TimeUnit.MINUTES);
    assertThat(agent.state().phase()).isEqualTo(Phase.SUPERSEDED);
    assertThat(controlPlane.registers).hasSize(1);
    assertThat(controlPlane.keepAlives).hasSize(1);
    assertThat(controlPlane.keepAliveStreams).hasValue(1);
  }

  @Test
  void registersAgainWithReflectedServices_whenTheAppAnswersLater() {
    ReflectionSwitch reflection = new ReflectionSwitch();
    app = FakeApp.withHealth(Reflection.NONE, reflection);
    app.health().setStatus("", ServingStatus.NOT_SERVING);
    startAgent(options().grpcServices(List.of("helloworld.Greeter")).build());
    await().atMost(WAIT).until(() -> reflection.calls > 0);

    clock.forward(2, TimeUnit.SECONDS);
    awaitKeepAlives(1);
    assertThat(controlPlane.registers.get(0).getInstance().getGrpcServicesList())
        .containsExactly("helloworld.Greeter");
    assertThat(controlPlane.registers.get(0).getInstance().getHealth()).isEqualTo(NOT_SERVING);

    reflection.answering = true;
    app.health().setStatus("", ServingStatus.SERVING);

    awaitRegisters(2);
    Instance again = controlPlane.registers.get(1).getInstance();
    assertThat(again.getGrpcServicesList()).containsExactly("weft.agenttest.Echo");
    assertThat(again.getHealth()).isEqualTo(SERVING);
  }

  @Test
  void close_cancelsEverything() {
    app = FakeApp.withHealth(Reflection.V1);
    startRegistered();

    agent.close();

    await().atMost(WAIT).until(() -> clock.pendingTaskCount() == 0);
    await().atMost(WAIT).until(() -> controlPlane.keepAliveStreamsCancelled.get() == 1);
    assertThat(agent.state().phase()).isEqualTo(Phase.STOPPED);
    assertThat(agent.state().registered()).isFalse();
    assertThat(agent.drain()).isCancelled();
    assertThat(controlPlane.deregisters).isEmpty();
  }

  /** A health service that takes calls and never answers. */
  static final class SilentHealth extends io.grpc.health.v1.HealthGrpc.HealthImplBase {
    @Override
    public void check(io.grpc.health.v1.HealthCheckRequest request,
        StreamObserver<io.grpc.health.v1.HealthCheckResponse> response) {}

    @Override
    public void watch(io.grpc.health.v1.HealthCheckRequest request,
        StreamObserver<io.grpc.health.v1.HealthCheckResponse> response) {}
  }

  /** Server reflection v1 that stays silent until {@link #answering} is set. */
  private static final class ReflectionSwitch
      extends ServerReflectionGrpc.ServerReflectionImplBase {
    private final ProtoReflectionServiceV1 real =
        (ProtoReflectionServiceV1) ProtoReflectionServiceV1.newInstance();
    volatile boolean answering;
    volatile int calls;

    @Override
    public StreamObserver<ServerReflectionRequest> serverReflectionInfo(
        StreamObserver<ServerReflectionResponse> responses) {
      calls++;
      if (answering) {
        return real.serverReflectionInfo(responses);
      }
      return new StreamObserver<>() {
        @Override
        public void onNext(ServerReflectionRequest request) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
    }
  }
}
