package io.weft.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.weft.demo.helloworld.GreeterGrpc;
import io.weft.demo.helloworld.HelloReply;
import io.weft.demo.helloworld.HelloRequest;
import io.weft.demo.helloworld.HelloStreamRequest;
import io.weft.demo.helloworld.StreamingGreeterGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GreeterServerTest {

  private static final Duration AWAIT = Duration.ofSeconds(20);

  private ScheduledExecutorService scheduler;
  private GreeterServer server;
  private ManagedChannel channel;

  @BeforeEach
  void setUp() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    server = new GreeterServer("127.0.0.1", 0, "greeter-1", scheduler).start();
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
            .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.shutdown(Duration.ZERO);
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void sayHello_repliesWithNameAndInstanceId() {
    HelloReply reply =
        GreeterGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .sayHello(HelloRequest.newBuilder().setName("world").build());

    assertThat(reply.getMessage()).isEqualTo("Hello, world from greeter-1");
  }

  @Test
  void sayHelloStream_sendsCountRepliesThenEnds() {
    Iterator<HelloReply> replies =
        StreamingGreeterGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .sayHelloStream(
                HelloStreamRequest.newBuilder()
                    .setName("world")
                    .setCount(3)
                    .setIntervalMillis(5)
                    .build());

    List<String> messages = new ArrayList<>();
    replies.forEachRemaining(reply -> messages.add(reply.getMessage()));
    assertThat(messages)
        .containsExactly(
            "Hello, world from greeter-1 (1/3)",
            "Hello, world from greeter-1 (2/3)",
            "Hello, world from greeter-1 (3/3)");
  }

  @Test
  void sayHelloStream_sendsFiveRepliesByDefault() {
    Iterator<HelloReply> replies =
        StreamingGreeterGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .sayHelloStream(HelloStreamRequest.newBuilder().setName("you").build());

    List<String> messages = new ArrayList<>();
    replies.forEachRemaining(reply -> messages.add(reply.getMessage()));
    assertThat(messages).hasSize(5).last().isEqualTo("Hello, you from greeter-1 (5/5)");
  }

  @Test
  void sayHelloStream_countAboveLimit_invalidArgumentNamingField() {
    Iterator<HelloReply> replies =
        StreamingGreeterGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .sayHelloStream(HelloStreamRequest.newBuilder().setCount(1001).build());

    assertThatThrownBy(replies::hasNext)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).startsWith("count: 1001 (expected: ");
            });
  }

  @Test
  void sayHelloStream_intervalAboveLimit_invalidArgumentNamingField() {
    Iterator<HelloReply> replies =
        StreamingGreeterGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .sayHelloStream(HelloStreamRequest.newBuilder().setIntervalMillis(10_001).build());

    assertThatThrownBy(replies::hasNext)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription())
                .startsWith("interval_millis: 10001 (expected: "));
  }

  @Test
  void reflection_listsBothGreeterServices() throws Exception {
    CompletableFuture<ServerReflectionResponse> response = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .serverReflectionInfo(completeWithFirst(response));
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();

    List<String> services =
        response.get(AWAIT.toSeconds(), TimeUnit.SECONDS).getListServicesResponse()
            .getServiceList().stream()
            .map(ServiceResponse::getName)
            .collect(Collectors.toList());
    assertThat(services)
        .contains("helloworld.Greeter", "helloworld.StreamingGreeter", "grpc.health.v1.Health");
  }

  @Test
  void health_servingForServerAndEachService() {
    assertThat(healthOf("")).isEqualTo(ServingStatus.SERVING);
    assertThat(healthOf("helloworld.Greeter")).isEqualTo(ServingStatus.SERVING);
    assertThat(healthOf("helloworld.StreamingGreeter")).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void health_notServingAfterSetServingFalse_servingAgainAfterTrue() {
    server.setServing(false);

    assertThat(healthOf("")).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(healthOf("helloworld.Greeter")).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(healthOf("helloworld.StreamingGreeter")).isEqualTo(ServingStatus.NOT_SERVING);

    server.setServing(true);

    assertThat(healthOf("")).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void health_watchSeesNotServing_whenShutdownBegins() throws Exception {
    List<ServingStatus> seen = new CopyOnWriteArrayList<>();
    HealthGrpc.newStub(channel)
        .watch(HealthCheckRequest.newBuilder().setService("").build(), collect(seen));
    await().atMost(AWAIT).until(() -> seen.contains(ServingStatus.SERVING));

    CompletableFuture<Boolean> shutdown = shutdownInBackground(Duration.ofMillis(200));

    await().atMost(AWAIT).until(() -> seen.contains(ServingStatus.NOT_SERVING));
    assertThat(shutdown.get(AWAIT.toSeconds(), TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void shutdown_letsInFlightStreamFinish() throws Exception {
    List<String> messages = new CopyOnWriteArrayList<>();
    CompletableFuture<Status> closed = new CompletableFuture<>();
    StreamingGreeterGrpc.newStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .sayHelloStream(
            HelloStreamRequest.newBuilder().setName("w").setCount(4).setIntervalMillis(100).build(),
            messagesUntilClose(messages, closed));
    await().atMost(AWAIT).until(() -> !messages.isEmpty());

    boolean graceful = server.shutdown(Duration.ofSeconds(20));

    assertThat(graceful).isTrue();
    assertThat(closed.get(AWAIT.toSeconds(), TimeUnit.SECONDS).getCode())
        .isEqualTo(Status.Code.OK);
    assertThat(messages).hasSize(4).last().isEqualTo("Hello, w from greeter-1 (4/4)");
  }

  @Test
  void shutdown_cancelsStreamStillRunningAfterGrace() throws Exception {
    List<String> messages = new CopyOnWriteArrayList<>();
    CompletableFuture<Status> closed = new CompletableFuture<>();
    StreamingGreeterGrpc.newStub(channel)
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .sayHelloStream(
            HelloStreamRequest.newBuilder().setCount(2).setIntervalMillis(10_000).build(),
            messagesUntilClose(messages, closed));
    await().atMost(AWAIT).until(() -> !messages.isEmpty());

    boolean graceful = server.shutdown(Duration.ofMillis(100));

    assertThat(graceful).isFalse();
    assertThat(closed.get(AWAIT.toSeconds(), TimeUnit.SECONDS).isOk()).isFalse();
    assertThat(messages).hasSize(1);
  }

  @Test
  void constructor_instanceIdWithSpace_rejectedNamingIt() {
    assertThatThrownBy(() -> new GreeterServer("127.0.0.1", 0, "a b", scheduler))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("instance id: 'a b' (expected: ");
  }

  @Test
  void constructor_portOutOfRange_rejectedNamingIt() {
    assertThatThrownBy(() -> new GreeterServer("127.0.0.1", 70000, "g", scheduler))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port: 70000 (expected: 0..65535)");
  }

  private ServingStatus healthOf(String service) {
    HealthCheckResponse response =
        HealthGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService(service).build());
    return response.getStatus();
  }

  private CompletableFuture<Boolean> shutdownInBackground(Duration grace) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                result.complete(server.shutdown(grace));
              } catch (Throwable t) {
                result.completeExceptionally(t);
              }
            },
            "test-shutdown");
    thread.start();
    return result;
  }

  private static <T> StreamObserver<T> completeWithFirst(CompletableFuture<T> first) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        first.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        first.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        first.completeExceptionally(new AssertionError("stream ended without a message"));
      }
    };
  }

  private static StreamObserver<HealthCheckResponse> collect(List<ServingStatus> seen) {
    return new StreamObserver<>() {
      @Override
      public void onNext(HealthCheckResponse value) {
        seen.add(value.getStatus());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  private static StreamObserver<HelloReply> messagesUntilClose(
      List<String> messages, CompletableFuture<Status> closed) {
    return new StreamObserver<>() {
      @Override
      public void onNext(HelloReply value) {
        messages.add(value.getMessage());
      }

      @Override
      public void onError(Throwable t) {
        closed.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        closed.complete(Status.OK);
      }
    };
  }
}
