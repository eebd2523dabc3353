package io.weft.sidecar.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.SynchronizationContext;
import io.grpc.protobuf.services.ChannelzService;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.weft.sidecar.agent.FakeApp.Reflection;
import io.weft.sidecar.agent.ServiceNameDiscovery.Result;
import io.weft.sidecar.agent.ServiceNameDiscovery.Source;
import io.weft.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceNameDiscoveryTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final FakeClock clock = new FakeClock();
  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private final SynchronizationContext syncContext =
      new SynchronizationContext((thread, e) -> uncaught.add(e));
  private FakeApp app;
  private ManagedChannel channel;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (app != null) {
      app.close();
    }
    assertThat(uncaught).isEmpty();
  }

  @Test
  void listsReflectedServices_withoutHealthReflectionOrChannelz() {
    app = FakeApp.withHealth(Reflection.V1, ChannelzService.newInstance(100));

    Result result = discover(List.of("configured.Ignored"));

    assertThat(result.names()).containsExactly("weft.agenttest.Echo");
    assertThat(result.source()).isEqualTo(Source.REFLECTION);
    assertThat(result.appReachable()).isTrue();
  }

  @Test
  void fallsBackToV1Alpha_whenV1IsUnimplemented() {
    app = FakeApp.withHealth(Reflection.V1ALPHA);

    Result result = discover(List.of());

    assertThat(result.names()).containsExactly("weft.agenttest.Echo");
    assertThat(result.source()).isEqualTo(Source.REFLECTION);
  }

  @Test
  void usesConfiguredNames_whenTheAppHasNoReflection() {
    app = FakeApp.withHealth(Reflection.NONE);

    Result result = discover(List.of("helloworld.Greeter", "a.B", "helloworld.Greeter"));

    assertThat(result.names()).containsExactly("a.B", "helloworld.Greeter");
    assertThat(result.source()).isEqualTo(Source.CONFIGURED);
    assertThat(result.appReachable()).isTrue();
  }

  @Test
  void registersNone_whenNeitherReflectionNorConfiguredNames() {
    app = FakeApp.withHealth(Reflection.NONE);

    Result result = discover(List.of());

    assertThat(result.names()).isEmpty();
    assertThat(result.source()).isEqualTo(Source.NONE);
  }

  @Test
  void usesConfiguredNamesAndSaysUnreachable_whenTheAppIsDown() throws InterruptedException {
    app = FakeApp.withHealth(Reflection.V1);
    app.shutdownNow();

    Result result = discover(List.of("helloworld.Greeter"));

    assertThat(result.names()).containsExactly("helloworld.Greeter");
    assertThat(result.source()).isEqualTo(Source.CONFIGURED);
    assertThat(result.appReachable()).isFalse();
  }

  @Test
  void givesUpAfterTheTimeout_whenReflectionNeverAnswers() {
    app = FakeApp.withoutManagedHealth(Reflection.NONE, new SilentReflection());
    channel = app.newChannel();
    ServiceNameDiscovery discovery = newDiscovery(List.of("helloworld.Greeter"));
    CompletableFuture<Result> result = new CompletableFuture<>();
    syncContext.execute(() -> discovery.discover(result::complete));

    clock.forward(TIMEOUT.toMillis() - 1, TimeUnit.MILLISECONDS);
    assertThat(result).isNotDone();
    clock.forward(1, TimeUnit.MILLISECONDS);

    assertThat(result).isCompletedWithValue(
        new Result(List.of("helloworld.Greeter"), Source.CONFIGURED, false));
    assertThat(clock.pendingTaskCount()).isZero();
  }

  @Test
  void reportsNothingAndLeavesNoTimer_whenCancelled() {
    app = FakeApp.withoutManagedHealth(Reflection.NONE, new SilentReflection());
    channel = app.newChannel();
    ServiceNameDiscovery discovery = newDiscovery(List.of());
    CompletableFuture<Result> result = new CompletableFuture<>();
    syncContext.execute(() -> discovery.discover(result::complete).cancel());

    clock.forward(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(result).isNotDone();
    assertThat(clock.pendingTaskCount()).isZero();
  }

  private Result discover(List<String> configured) {
    channel = app.newChannel();
    ServiceNameDiscovery discovery = newDiscovery(configured);
    CompletableFuture<Result> result = new CompletableFuture<>();
    syncContext.execute(() -> discovery.discover(result::complete));
    await().atMost(Duration.ofSeconds(20)).until(result::isDone);
    assertThat(clock.pendingTaskCount()).isZero();
    return result.join();
  }

  private ServiceNameDiscovery newDiscovery(List<String> configured) {
    return new ServiceNameDiscovery(channel, configured, TIMEOUT, "greeter/greeter-1",
        syncContext, clock.scheduler());
  }

  /** Reflection that takes the call and never answers. */
  private static final class SilentReflection extends ServerReflectionGrpc.ServerReflectionImplBase {
    @Override
    public StreamObserver<ServerReflectionRequest> serverReflectionInfo(
        StreamObserver<ServerReflectionResponse> responses) {
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
