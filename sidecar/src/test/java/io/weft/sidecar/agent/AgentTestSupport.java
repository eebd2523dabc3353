package io.weft.sidecar.agent;

import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.weft.common.BackoffOptions;
import io.weft.testing.FakeClock;
import io.weft.testing.FixedRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;

/**
 * A registration agent between a {@link FakeControlPlane} and a {@link FakeApp}, both on real
 * Netty servers, with a fake clock for every timer. Health is checked once an hour (the Watch
 * gives changes) so that, unless a test says otherwise, only the agent's own timers run when the
 * test moves the clock.
 */
abstract class AgentTestSupport {

  static final Duration WAIT = Duration.ofSeconds(20);

  /** Jitter factor 1: delays are exactly initial * multiplier^n. */
  static final Random NO_JITTER = FixedRandom.of(0.5);

  final FakeClock clock = new FakeClock();
  final FakeControlPlane controlPlane = new FakeControlPlane();
  FakeApp app;
  ManagedChannel controlPlaneChannel;
  ManagedChannel appChannel;
  RegistrationAgent agent;

  static AgentOptions.Builder options() {
    return AgentOptions.builder()
        .service("greeter")
        .instanceId("greeter-1")
        .advertise("10.0.0.7", 15006)
        .zone("a")
        .weight(50)
        .metadata(Map.of("version", "v2"))
        .nodeId("node-1")
        .leaseTtl(Duration.ofSeconds(9))
        .healthCheckInterval(Duration.ofHours(1))
        .backoff(new BackoffOptions(Duration.ofMillis(100), Duration.ofSeconds(5), 1.6, 0.2));
  }

  RegistrationAgent startAgent(AgentOptions options) {
    return startAgent(options, () -> CompletableFuture.completedFuture(null));
  }

  RegistrationAgent startAgent(AgentOptions options, Supplier<CompletableFuture<Void>> whenIdle) {
    controlPlaneChannel = controlPlane.newChannel();
    appChannel = app.newChannel();
    agent = new RegistrationAgent(options, controlPlaneChannel, appChannel, whenIdle,
        clock.scheduler(), clock.ticker(), NO_JITTER);
    agent.start();
    return agent;
  }

  /** Starts an agent with default options and waits until it is registered and settled. */
  RegistrationAgent startRegistered() {
    startAgent(options().build());
    awaitSettled();
    return agent;
  }

  /**
   * Waits for the first renewal and for the timers to settle: only the renewal and the health
   * tick are left (the first health check, reflection and Register have finished).
   */
  void awaitSettled() {
    awaitKeepAlives(1);
    await().atMost(WAIT).until(() -> clock.pendingTaskCount() == 2);
  }

  void awaitKeepAlives(int count) {
    await().atMost(WAIT).until(() -> controlPlane.keepAlives.size() >= count);
  }

  void awaitRegisters(int count) {
    await().atMost(WAIT).until(() -> controlPlane.registers.size() >= count);
  }

  void awaitPhase(AgentState.Phase phase) {
    await().atMost(WAIT).until(() -> agent.state().phase() == phase);
  }

  @AfterEach
  void closeEverything() throws InterruptedException {
    if (agent != null) {
      agent.close();
      await().atMost(WAIT).until(() -> clock.pendingTaskCount() == 0);
    }
    for (ManagedChannel channel : new ManagedChannel[] {controlPlaneChannel, appChannel}) {
      if (channel != null) {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
    controlPlane.close();
    if (app != null) {
      app.close();
    }
  }
}
