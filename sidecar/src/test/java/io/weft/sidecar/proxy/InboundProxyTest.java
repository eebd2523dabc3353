package io.weft.sidecar.proxy;

import static io.weft.sidecar.proxy.ForwardingContractTest.WAIT;
import static io.weft.sidecar.proxy.ForwardingContractTest.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.common.base.Ticker;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.sidecar.proxy.ForwardingContractTest.StreamRecorder;
import io.weft.sidecar.proxy.echo.EchoGrpc;
import io.weft.sidecar.proxy.echo.EchoRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** In-flight counting, drain and metrics of the inbound proxy, over real sockets. */
class InboundProxyTest {

  private static final Metadata.Key<String> UPSTREAM =
      Metadata.Key.of("x-weft-upstream", Metadata.ASCII_STRING_MARSHALLER);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private EchoUpstream app;
  private Relayed relayed;
  private InboundProxy proxy;
  private ManagedChannel client;
  private EchoGrpc.EchoStub async;

  @BeforeEach
  void setUp() throws Exception {
    app = new EchoUpstream("echo", "echo-1");
    relayed = new Relayed(app.address());
    proxy = relayed.proxy;
    client = relayed.client;
    async = EchoGrpc.newStub(client);
  }

  @AfterEach
  void tearDown() throws Exception {
    relayed.close();
    app.close();
  }

  @Test
  void inFlight_countsCallsInProgress_andWhenIdleCompletesWhenTheLastEnds() {
    assertThat(proxy.whenIdle()).isCompleted();
    StreamRecorder first = new StreamRecorder();
    StreamRecorder second = new StreamRecorder();
    StreamObserver<EchoRequest> firstRequests = async.bidi(first);
    ClientCallStreamObserver<EchoRequest> secondRequests =
        (ClientCallStreamObserver<EchoRequest>) async.bidi(second);
    firstRequests.onNext(request("a").build());
    secondRequests.onNext(request("b").build());

    await().atMost(WAIT).until(() -> proxy.inFlight() == 2);
    CompletableFuture<Void> idle = proxy.whenIdle();
    assertThat(idle).isNotDone();

    firstRequests.onCompleted();
    assertThat(first.awaitDone()).isEqualTo(Status.Code.OK);
    await().atMost(WAIT).until(() -> proxy.inFlight() == 1);
    assertThat(idle).isNotDone();

    secondRequests.cancel("caller gives up", null);
    await().atMost(WAIT).until(idle::isDone);
    assertThat(proxy.inFlight()).isZero();
    assertThat(proxy.whenIdle()).isCompleted();
  }

  @Test
  void shutdown_refusesNewCalls_whileCallsInProgressFinish() throws Exception {
    StreamRecorder responses = new StreamRecorder();
    StreamObserver<EchoRequest> requests = async.bidi(responses);
    requests.onNext(request("before").build());
    await().atMost(WAIT).until(() -> responses.messages.size() == 1);

    proxy.shutdown();

    ManagedChannel late = EchoUpstream.plaintextChannel(proxy.port());
    try {
      StatusRuntimeException error =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () -> EchoGrpc.newBlockingStub(late).unary(request("late").build()));
      assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    } finally {
      late.shutdownNow();
      late.awaitTermination(10, TimeUnit.SECONDS);
    }
    requests.onNext(request("during").build());
    requests.onCompleted();
    assertThat(responses.awaitDone()).isEqualTo(Status.Code.OK);
    assertThat(responses.messages).hasSize(2);
    assertThat(proxy.awaitTermination(WAIT)).isTrue();
    assertThat(proxy.whenIdle()).isCompleted();
  }

  @Test
  void callersAuthority_reachesTheApp_andTheResponseNamesNoUpstream() throws Exception {
    ManagedChannel asGreeter = NettyChannelBuilder.forAddress("127.0.0.1", proxy.port())
        .overrideAuthority("greeter")
        .usePlaintext()
        .build();
    try {
      AtomicReference<Metadata> headers = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      EchoGrpc.newBlockingStub(asGreeter)
          .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
          .unary(request("hi").build());

      assertThat(app.service.lastAuthority.get()).isEqualTo("greeter");
      assertThat(headers.get().get(EchoService.RESPONSE_HEADER)).isEqualTo("hello");
      assertThat(headers.get().containsKey(UPSTREAM)).isFalse();
      assertThat(trailers.get().containsKey(UPSTREAM)).isFalse();
    } finally {
      asGreeter.shutdownNow();
      asGreeter.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void appNotListening_failsTheCallUnavailable_namingTheInstance_andCountsNothingInFlight()
      throws Exception {
    app.close();

    StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class,
        () -> EchoGrpc.newBlockingStub(client).unary(request("nobody").build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(error.getStatus().getDescription()).contains("echo/echo-1");
    await().atMost(WAIT).until(() -> proxy.inFlight() == 0);
    assertThat(proxy.whenIdle()).isCompleted();
  }

  @Test
  void streamTheAppRefuses_isReplayedToTheApp_thenFailsUnavailableAfterTheTransparentRetries()
      throws Exception {
    try (MisbehavingUpstream refusing = new MisbehavingUpstream();
        Relayed toRefusing = new Relayed(refusing.address())) {
      StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class,
          () -> EchoGrpc.newBlockingStub(toRefusing.client).unary(request("again").build()));

      assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(error.getStatus().getDescription())
          .contains("echo/echo-1 refused the stream")
          .contains("after " + (RelayedCall.MAX_TRANSPARENT_RETRIES + 1) + " attempts");
      assertThat(refusing.streamsSeen.get()).isEqualTo(RelayedCall.MAX_TRANSPARENT_RETRIES + 1);
      await().atMost(WAIT).until(() -> toRefusing.proxy.inFlight() == 0);
    }
  }

  @Test
  void metrics_countInboundCallsUnderTheLocalInstance() {
    EchoGrpc.newBlockingStub(client).unary(request("one").build());

    await()
        .atMost(WAIT)
        .until(
            () -> {
              var counter =
                  registry
                      .find("weft_proxy_requests_total")
                      .tags("direction", "inbound", "service", "echo", "instance", "echo-1")
                      .tag("code", "OK")
                      .counter();
              return counter != null && counter.count() == 1;
            });
    assertThat(
            registry
                .get("weft_proxy_in_flight")
                .tags("direction", "inbound", "service", "echo")
                .gauge()
                .value())
        .isZero();
  }

  /** An inbound proxy, as the local instance echo/echo-1 of {@code app}, with a client channel. */
  private final class Relayed implements AutoCloseable {
    final InboundProxy proxy;
    final ManagedChannel client;

    Relayed(InetSocketAddress app) throws IOException {
      proxy = InboundProxy.builder(
          app, new ProxyMetrics(registry, Ticker.systemTicker()), "echo", "echo-1").start();
      client = EchoUpstream.plaintextChannel(proxy.port());
    }

    @Override
    public void close() throws Exception {
      client.shutdownNow();
      client.awaitTermination(10, TimeUnit.SECONDS);
      proxy.stop(Duration.ofSeconds(5));
    }
  }
}
