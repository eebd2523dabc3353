package io.weft.sidecar.agent;

import static io.weft.mesh.v1.HealthStatus.HEALTH_STATUS_UNSPECIFIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.weft.mesh.v1.DeregisterRequest;
import io.weft.mesh.v1.DrainConfirmation;
import io.weft.mesh.v1.LeaseEvent;
import io.weft.sidecar.agent.AgentState.Phase;
import io.weft.sidecar.agent.FakeApp.Reflection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistrationAgentDrainTest extends AgentTestSupport {

  private static final DrainConfirmation CONFIRMED_BY_3 =
      DrainConfirmation.newBuilder().setRevision(7).setConfirmedSidecars(3).build();

  private final AtomicInteger idleAsked = new AtomicInteger();
  private final CompletableFuture<Void> idle = new CompletableFuture<>();

  @BeforeEach
  void startApp() {
    app = FakeApp.withHealth(Reflection.V1);
  }

  @Test
  void drains_deregisterThenConfirmationThenInFlightThenRemoval() {
    startRegisteredWithControlledIdle();

    CompletableFuture<Void> drained = agent.drain();

    await().atMost(WAIT).until(() -> controlPlane.deregisters.size() == 1);
    assertThat(controlPlane.deregisters.get(0)).isEqualTo(deregister(30));
    assertThat(agent.state().draining()).isTrue();
    assertThat(idleAsked).hasValue(0);

    controlPlane.confirmDrain(CONFIRMED_BY_3);
    await().atMost(WAIT).until(() -> idleAsked.get() == 1);
    assertThat(controlPlane.deregisters).hasSize(1);
    assertThat(drained).isNotDone();

    idle.complete(null);

    await().atMost(WAIT).until(drained::isDone);
    assertThat(drained).isCompleted();
    assertThat(controlPlane.deregisters).containsExactly(deregister(30), deregister(0));
    assertThat(agent.state().phase()).isEqualTo(Phase.STOPPED);
    assertThat(agent.state().registered()).isFalse();
    assertThat(clock.pendingTaskCount()).isZero();
    assertThat(agent.drain()).isSameAs(drained);
  }

  @Test
  void removes_whenTheLastInFlightCallEndsInsideItsOwnCancelledContext() {
    startRegisteredWithControlledIdle();
    CompletableFuture<Void> drained = agent.drain();
    await().atMost(WAIT).until(() -> controlPlane.deregisters.size() == 1);
    controlPlane.confirmDrain(CONFIRMED_BY_3);
    await().atMost(WAIT).until(() -> idleAsked.get() == 1);

    Context.CancellableContext endingCall = Context.current().withCancellation();
    endingCall.cancel(null);
    endingCall.run(() -> idle.complete(null));

    await().atMost(WAIT).until(drained::isDone);
    assertThat(controlPlane.deregisters).containsExactly(deregister(30), deregister(0));
  }

  @Test
  void keepsRenewingWithoutHealth_whileWaitingForConfirmation() {
    startRegisteredWithControlledIdle();
    agent.drain();
    await().atMost(WAIT).until(() -> controlPlane.deregisters.size() == 1);

    app.health().setStatus("", ServingStatus.NOT_SERVING);
    clock.forward(3, TimeUnit.SECONDS);
    awaitKeepAlives(2);
    clock.forward(3, TimeUnit.SECONDS);
    awaitKeepAlives(3);

    assertThat(controlPlane.reportedHealth()).containsOnly(HEALTH_STATUS_UNSPECIFIED);
    assertThat(controlPlane.registers).hasSize(1);
  }

  @Test
  void goesOnAfterTheConfirmTimeout_whenTheControlPlaneNeverConfirms() {
    startRegisteredWithControlledIdle();
    CompletableFuture<Void> drained = agent.drain();
    await().atMost(WAIT).until(() -> controlPlane.deregisters.size() == 1);

    clock.forward(9999, TimeUnit.MILLISECONDS);
    assertThat(idleAsked).hasValue(0);
    clock.forward(1, TimeUnit.MILLISECONDS);
    await().atMost(WAIT).until(() -> idleAsked.get() == 1);
    idle.complete(null);

    await().atMost(WAIT).until(drained::isDone);
    assertThat(controlPlane.deregisters).containsExactly(deregister(30), deregister(0));
  }

  @Test
  void removesAfterTheInFlightTimeout_whenCallsNeverFinish() {
    startRegisteredWithControlledIdle();
    CompletableFuture<Void> drained = agent.drain();
    await().atMost(WAIT).until(() -> controlPlane.deregisters.size() == 1);
    controlPlane.confirmDrain(CONFIRMED_BY_3);
    await().atMost(WAIT).until(() -> idleAsked.get() == 1);

    clock.forward(19999, TimeUnit.MILLISECONDS);
    assertThat(drained).isNotDone();
    clock.forward(1, TimeUnit.MILLISECONDS);

    await().atMost(WAIT).until(drained::isDone);
    assertThat(controlPlane.deregisters).containsExactly(deregister(30), deregister(0));
  }

  @Test
  void finishesWithinTheBounds_whenTheControlPlaneStopsAnswering() {
    startRegisteredWithControlledIdle();
    controlPlane.answerDeregister = false;
    controlPlane.answerRenewals = false;
    idle.complete(null);

    CompletableFuture<Void> drained = agent.drain();
    await().atMost(WAIT).until(() -> controlPlane.deregisters.size() == 1);
    clock.forward(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> controlPlane.deregisters.size() == 2);
    clock.forward(5, TimeUnit.SECONDS);

    await().atMost(WAIT).until(drained::isDone);
    assertThat(drained).isCompleted();
    assertThat(clock.pendingTaskCount()).isZero();
  }

  @Test
  void finishes_whenTheControlPlaneIsGone() throws InterruptedException {
    startRegisteredWithControlledIdle();
    idle.complete(null);
    controlPlane.shutdownNow();
    awaitPhase(Phase.RECONNECTING);

    CompletableFuture<Void> drained = agent.drain();

    await().atMost(WAIT).until(drained::isDone);
    assertThat(drained).isCompleted();
    assertThat(clock.pendingTaskCount()).isZero();
  }

  @Test
  void reopensTheStreamWithoutRegistering_whenItBreaksDuringTheDrain() {
    startRegisteredWithControlledIdle();
    agent.drain();
    await().atMost(WAIT).until(() -> controlPlane.deregisters.size() == 1);

    controlPlane.breakStream(Status.UNAVAILABLE);
    awaitPhase(Phase.RECONNECTING);
    clock.forward(100, TimeUnit.MILLISECONDS);
    await().atMost(WAIT).until(() -> controlPlane.keepAliveStreams.get() == 2);
    awaitKeepAlives(2);
    controlPlane.confirmDrain(CONFIRMED_BY_3);

    await().atMost(WAIT).until(() -> idleAsked.get() == 1);
    assertThat(controlPlane.registers).hasSize(1);
  }

  @Test
  void stopsRegisteringAndRenewsTheLease_whenTheDrainBeginsDuringARegistration() {
    startRegisteredWithControlledIdle();
    controlPlane.breakStream(Status.UNAVAILABLE);
    awaitPhase(Phase.RECONNECTING);
    controlPlane.answerRegister = false;
    clock.forward(100, TimeUnit.MILLISECONDS);
    awaitRegisters(2);

    agent.drain();

    await().atMost(WAIT).until(() -> controlPlane.deregisters.size() == 1);
    await().atMost(WAIT).until(() -> controlPlane.keepAliveStreams.get() == 2);
    awaitKeepAlives(2);
    assertThat(agent.state().phase()).isEqualTo(Phase.REGISTERED);
    assertThat(agent.state().draining()).isTrue();
    controlPlane.confirmDrain(CONFIRMED_BY_3);
    await().atMost(WAIT).until(() -> idleAsked.get() == 1);
    assertThat(controlPlane.registers).hasSize(2);
  }

  @Test
  void skipsDeregistration_whenSuperseded() {
    startRegisteredWithControlledIdle();
    controlPlane.push(LeaseEvent.SUPERSEDED);
    awaitPhase(Phase.SUPERSEDED);

    CompletableFuture<Void> drained = agent.drain();
    await().atMost(WAIT).until(() -> idleAsked.get() == 1);
    idle.complete(null);

    await().atMost(WAIT).until(drained::isDone);
    assertThat(controlPlane.deregisters).isEmpty();
  }

  @Test
  void waitsOnlyForInFlightCalls_whenNeverRegistered() {
    controlPlane.registerFailure = Status.UNAVAILABLE;
    startAgent(options().build(), this::whenIdle);
    awaitRegisters(1);
    awaitPhase(Phase.RECONNECTING);

    CompletableFuture<Void> drained = agent.drain();
    await().atMost(WAIT).until(() -> idleAsked.get() == 1);
    idle.complete(null);

    await().atMost(WAIT).until(drained::isDone);
    assertThat(controlPlane.deregisters).isEmpty();
    assertThat(controlPlane.registers).hasSize(1);
    assertThat(clock.pendingTaskCount()).isZero();
  }

  private void startRegisteredWithControlledIdle() {
    startAgent(options().build(), this::whenIdle);
    awaitSettled();
  }

  private CompletableFuture<Void> whenIdle() {
    idleAsked.incrementAndGet();
    return idle;
  }

  private static DeregisterRequest deregister(long graceSeconds) {
    return DeregisterRequest.newBuilder()
        .setLeaseId(FakeControlPlane.LEASE_ID)
        .setGrace(com.google.protobuf.Duration.newBuilder().setSeconds(graceSeconds))
        .build();
  }
}
