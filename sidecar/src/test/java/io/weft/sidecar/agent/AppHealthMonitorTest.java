package io.weft.sidecar.agent;

import static io.weft.mesh.v1.HealthStatus.NOT_SERVING;
import static io.weft.mesh.v1.HealthStatus.SERVING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.SynchronizationContext;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.weft.mesh.v1.HealthStatus;
import io.weft.sidecar.agent.FakeApp.Reflection;
import io.weft.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AppHealthMonitorTest {

  private static final Duration INTERVAL = Duration.ofMillis(500);
  private static final Duration TIMEOUT = Duration.ofMillis(400);
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final FakeClock clock = new FakeClock();
  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private final SynchronizationContext syncContext =
      new SynchronizationContext((thread, e) -> uncaught.add(e));
  private final List<HealthStatus> reported = new CopyOnWriteArrayList<>();
  private FakeApp app;
  private ManagedChannel channel;
  private AppHealthMonitor monitor;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (monitor != null) {
      inSyncContext(monitor::stop);
      assertThat(clock.pendingTaskCount()).isZero();
    }
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (app != null) {
      app.close();
    }
    assertThat(uncaught).isEmpty();
  }

  @Test
  void reportsEveryChangePromptly_fromTheWatch() {
    app = FakeApp.withHealth(Reflection.NONE);
    start();
    await().atMost(WAIT).until(() -> reported.equals(List.of(SERVING)));

    app.health().setStatus("", ServingStatus.NOT_SERVING);
    await().atMost(WAIT).until(() -> reported.equals(List.of(SERVING, NOT_SERVING)));

    app.health().setStatus("", ServingStatus.SERVING);
    await().atMost(WAIT).until(() -> reported.equals(List.of(SERVING, NOT_SERVING, SERVING)));
  }

  @Test
  void reportsNotServing_whenTheAppShutsDown() throws InterruptedException {
    app = FakeApp.withHealth(Reflection.NONE);
    start();
    await().atMost(WAIT).until(() -> reported.equals(List.of(SERVING)));

    app.shutdownNow();

    await().atMost(WAIT).until(() -> reported.equals(List.of(SERVING, NOT_SERVING)));
  }

  @Test
  void reportsNotServing_whenTheAppCannotBeReached() throws InterruptedException {
    app = FakeApp.withHealth(Reflection.NONE);
    app.shutdownNow();

    start();

    await().atMost(WAIT).until(() -> reported.equals(List.of(NOT_SERVING)));
  }

  @Test
  void reportsServing_whenTheAppAnswersWithoutAHealthService() {
    app = FakeApp.withoutManagedHealth(Reflection.NONE);

    start();

    await().atMost(WAIT).until(() -> reported.equals(List.of(SERVING)));
  }

  @Test
  void reportsNotServingAfterTheTimeout_whenTheFirstCheckIsNotAnswered() {
    ScriptedHealth health = new ScriptedHealth();
    health.answer = false;
    app = FakeApp.withoutManagedHealth(Reflection.NONE, health);
    start();

    clock.forward(TIMEOUT.toMillis() - 1, TimeUnit.MILLISECONDS);
    assertThat(reported).isEmpty();
    clock.forward(1, TimeUnit.MILLISECONDS);

    await().atMost(WAIT).until(() -> reported.equals(List.of(NOT_SERVING)));
  }

  @Test
  void checksEveryInterval_andReportsNotServingWhenTheAppStopsAnswering() {
    ScriptedHealth health = new ScriptedHealth();
    app = FakeApp.withoutManagedHealth(Reflection.NONE, health);
    start();
    await().atMost(WAIT).until(() -> reported.equals(List.of(SERVING)));
    await().atMost(WAIT).until(() -> health.checks == 1);

    health.answer = false;
    clock.forward(INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    await().atMost(WAIT).until(() -> health.checks == 2);
    clock.forward(TIMEOUT.toMillis() - 1, TimeUnit.MILLISECONDS);
    assertThat(reported).containsExactly(SERVING);
    clock.forward(1, TimeUnit.MILLISECONDS);

    await().atMost(WAIT).until(() -> reported.equals(List.of(SERVING, NOT_SERVING)));

    health.answer = true;
    clock.forward(INTERVAL.toMillis() - TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    await().atMost(WAIT).until(() -> reported.equals(List.of(SERVING, NOT_SERVING, SERVING)));
  }

  @Test
  void resetsTheAppChannelsConnectBackoff_beforeEachCheck_whileTheAppCannotBeReached()
      throws InterruptedException {
    app = FakeApp.withHealth(Reflection.NONE);
    app.shutdownNow();
    CountingResets counting = new CountingResets(app.newChannel());

    start(counting);
    await().atMost(WAIT).until(() -> reported.equals(List.of(NOT_SERVING)));
    // The failed Watch may already have triggered one more check (with a reset) by now.
    int before = counting.resets.get();

    clock.forward(INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    await().atMost(WAIT).until(() -> counting.resets.get() >= before + 1);
    clock.forward(INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    await().atMost(WAIT).until(() -> counting.resets.get() >= before + 2);
    assertThat(reported).containsExactly(NOT_SERVING);
  }

  @Test
  void leavesTheConnectBackoffAlone_whileTheAppAnswers() {
    app = FakeApp.withHealth(Reflection.NONE);
    CountingResets counting = new CountingResets(app.newChannel());
    start(counting);
    await().atMost(WAIT).until(() -> reported.equals(List.of(SERVING)));

    clock.forward(INTERVAL.toMillis() * 3, TimeUnit.MILLISECONDS);

    assertThat(counting.resets).hasValue(0);
  }

  private void start() {
    start(app.newChannel());
  }

  private void start(ManagedChannel appChannel) {
    channel = appChannel;
    monitor = new AppHealthMonitor(channel, INTERVAL, TIMEOUT, "greeter/greeter-1",
        syncContext, clock.scheduler(), reported::add);
    inSyncContext(monitor::start);
  }

  /**
   * Runs {@code task} in the synchronization context and returns once it has run: {@code execute}
   * alone only queues it while a gRPC thread is draining the context.
   */
  private void inSyncContext(Runnable task) {
    AtomicBoolean ran = new AtomicBoolean();
    syncContext.execute(() -> {
      task.run();
      ran.set(true);
    });
    await().atMost(WAIT).untilTrue(ran);
  }

  /** A real channel that counts {@link ManagedChannel#resetConnectBackoff} calls. */
  private static final class CountingResets extends ManagedChannel {
    final AtomicInteger resets = new AtomicInteger();
    private final ManagedChannel delegate;

    CountingResets(ManagedChannel delegate) {
      this.delegate = delegate;
    }

    @Override
    public void resetConnectBackoff() {
      resets.incrementAndGet();
      delegate.resetConnectBackoff();
    }

    @Override
    public ManagedChannel shutdown() {
      delegate.shutdown();
      return this;
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public ManagedChannel shutdownNow() {
      delegate.shutdownNow();
      return this;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions options) {
      return delegate.newCall(method, options);
    }

    @Override
    public String authority() {
      return delegate.authority();
    }
  }

  /** Check answers SERVING while {@link #answer} is set and never otherwise; Watch never answers. */
  private static final class ScriptedHealth extends HealthGrpc.HealthImplBase {
    volatile boolean answer = true;
    volatile int checks;

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
      checks++;
      if (answer) {
        response.onNext(HealthCheckResponse.newBuilder().setStatus(ServingStatus.SERVING).build());
        response.onCompleted();
      }
    }

    @Override
    public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {}
  }
}
