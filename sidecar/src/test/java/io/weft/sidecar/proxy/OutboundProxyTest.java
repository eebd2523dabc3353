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
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.sidecar.proxy.ForwardingContractTest.StreamRecorder;
import io.weft.sidecar.proxy.echo.EchoGrpc;
import io.weft.sidecar.proxy.echo.EchoRequest;
import io.weft.sidecar.proxy.echo.EchoResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routing, the upstream header and metrics of the outbound proxy, over real sockets; run against
 * each way the proxy forwards (grpc-java calls, the frame relay).
 */
abstract class OutboundProxyTest {

  static final String ECHO_GRPC_SERVICE = "weft.test.proxy.Echo";

  final FakeEndpointSource source = new FakeEndpointSource();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<ManagedChannel> clients = new ArrayList<>();
  ScheduledExecutorService scheduler;
  EchoUpstream echo;
  EchoUpstream greeter;
  private OutboundProxy proxy;

  /** A builder of the proxy under test, for calls to the {@link #echo} and {@link #greeter}. */
  abstract OutboundProxy.Builder proxyBuilder(ProxyMetrics metrics) throws Exception;

  /** Releases what {@link #proxyBuilder} made, after the proxy stopped. */
  void closeUpstreams() {}

  @BeforeEach
  void setUp() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    echo = new EchoUpstream("echo", "echo-1");
    greeter = new EchoUpstream("greeter", "greeter-7");
    source.setService("echo", List.of(echo.instance()));
    proxy = proxyBuilder(new ProxyMetrics(registry, Ticker.systemTicker()))
        .routeTimeout(Duration.ofSeconds(10))
        .start();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ManagedChannel client : clients) {
      client.shutdownNow();
      client.awaitTermination(10, TimeUnit.SECONDS);
    }
    proxy.stop(Duration.ofSeconds(5));
    closeUpstreams();
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
    echo.close();
    greeter.close();
  }

  private EchoGrpc.EchoBlockingStub client(String authority) {
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress("127.0.0.1", proxy.port()).usePlaintext();
    if (authority != null) {
      builder.overrideAuthority(authority);
    }
    ManagedChannel channel = builder.build();
    clients.add(channel);
    return EchoGrpc.newBlockingStub(channel);
  }

  @Test
  void call_routedByGrpcService_namesTheUpstreamInTheResponseHeaders() {
    source.setRoute(ECHO_GRPC_SERVICE, "echo");
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();

    client(null)
        .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .unary(request("hi").build());

    assertThat(headers.get().getAll(ForwardedMetadata.UPSTREAM)).containsExactly("echo/echo-1");
    assertThat(echo.service.callsStarted.get()).isEqualTo(1);
  }

  @Test
  void call_routedByAuthority_evenWhenTheGrpcServiceIsAmbiguous() {
    source.setService("greeter", List.of(greeter.instance()));
    source.setRoute(ECHO_GRPC_SERVICE, "echo", "greeter");
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();

    client("greeter:15001")
        .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .unary(request("hi").build());

    assertThat(headers.get().get(ForwardedMetadata.UPSTREAM)).isEqualTo("greeter/greeter-7");
    assertThat(greeter.service.callsStarted.get()).isEqualTo(1);
    assertThat(echo.service.callsStarted.get()).isZero();
  }

  @Test
  void failureBeforeHeaders_namesTheUpstreamInTheTrailers() {
    source.setRoute(ECHO_GRPC_SERVICE, "echo");

    StatusRuntimeException error =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                client(null)
                    .unary(
                        request("x")
                            .setFailCode(Status.Code.NOT_FOUND.value())
                            .setFailMessage("no such echo")
                            .build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(error.getTrailers().getAll(ForwardedMetadata.UPSTREAM))
        .containsExactly("echo/echo-1");
  }

  @Test
  void call_failsUnavailableNamingWhatWasAsked_whenNothingServesIt() {
    source.setService("nobody", 0);
    source.setRoute(ECHO_GRPC_SERVICE);

    StatusRuntimeException error =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> client("nobody").unary(request("hi").build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(error.getStatus().getDescription())
        .contains("weft.test.proxy.Echo/Unary")
        .contains(":authority \"nobody\"")
        .contains("mesh service \"nobody\" has no instances")
        .contains("no mesh service registers gRPC service weft.test.proxy.Echo");
  }

  @Test
  void call_failsUnavailableNamingTheServices_whenTheGrpcServiceIsAmbiguous() {
    source.setRoute(ECHO_GRPC_SERVICE, "echo", "greeter");

    StatusRuntimeException error =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> client(null).unary(request("hi").build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(error.getStatus().getDescription())
        .contains("[echo, greeter]")
        .contains("set :authority");
  }

  @Test
  void call_waitsForTheFirstRouteUpdate_withoutBlocking() {
    StreamRecorder responses = new StreamRecorder();
    EchoGrpc.newStub(client(null).getChannel()).unary(request("patient").build(), responses);
    await().atMost(WAIT).until(() -> source.opened().contains("route:" + ECHO_GRPC_SERVICE));
    assertThat(responses.status.get()).isNull();

    source.setRoute(ECHO_GRPC_SERVICE, "echo");

    assertThat(responses.awaitDone()).isEqualTo(Status.Code.OK);
    assertThat(responses.messages).extracting(EchoResponse::getMessage).containsExactly("patient");
  }

  @Test
  void metrics_countCallsByDirectionServiceInstanceAndCode() {
    source.setRoute(ECHO_GRPC_SERVICE, "echo");
    EchoGrpc.EchoBlockingStub stub = client(null);
    stub.unary(request("one").build());
    stub.unary(request("two").build());
    catchThrowableOfType(
        StatusRuntimeException.class,
        () -> stub.unary(request("bad").setFailCode(Status.Code.INTERNAL.value()).build()));
    source.setRoute(ECHO_GRPC_SERVICE);
    catchThrowableOfType(StatusRuntimeException.class, () -> stub.unary(request("x").build()));

    await().atMost(WAIT).until(() -> requests("echo", "echo-1", "OK") == 2);
    await().atMost(WAIT).until(() -> requests("echo", "echo-1", "INTERNAL") == 1);
    await().atMost(WAIT).until(() -> requests("none", "none", "UNAVAILABLE") == 1);
    assertThat(
            registry
                .get("weft_proxy_request_duration_seconds")
                .tags("direction", "outbound", "service", "echo", "instance", "echo-1")
                .timer()
                .count())
        .isEqualTo(3);
    assertThat(inFlight("echo")).isZero();
  }

  @Test
  void inFlightGauge_countsCallsInProgress() {
    source.setRoute(ECHO_GRPC_SERVICE, "echo");
    StreamRecorder responses = new StreamRecorder();
    EchoGrpc.newStub(client(null).getChannel())
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .unary(request("wait").setStall(true).build(), responses);

    await().atMost(WAIT).until(() -> echo.service.callsStarted.get() == 1);
    assertThat(inFlight("echo")).isEqualTo(1);
  }

  @Test
  void shutdown_letsCallsInProgressFinish_thenTerminates() throws InterruptedException {
    source.setRoute(ECHO_GRPC_SERVICE, "echo");
    StreamRecorder responses = new StreamRecorder();
    StreamObserver<EchoRequest> requests =
        EchoGrpc.newStub(client(null).getChannel()).bidi(responses);
    requests.onNext(request("before").build());
    await().atMost(WAIT).until(() -> responses.messages.size() == 1);

    proxy.shutdown();
    requests.onNext(request("during").build());
    await().atMost(WAIT).until(() -> responses.messages.size() == 2);
    requests.onCompleted();

    assertThat(responses.awaitDone()).isEqualTo(Status.Code.OK);
    assertThat(proxy.awaitTermination(WAIT)).isTrue();
  }

  private double requests(String service, String instance, String code) {
    var counter =
        registry
            .find("weft_proxy_requests_total")
            .tags("direction", "outbound", "service", service, "instance", instance, "code", code)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private double inFlight(String service) {
    return registry
        .get("weft_proxy_in_flight")
        .tags("direction", "outbound", "service", service)
        .gauge()
        .value();
  }
}
