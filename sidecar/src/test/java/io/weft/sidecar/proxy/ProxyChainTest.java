package io.weft.sidecar.proxy;

import static io.weft.sidecar.proxy.ForwardingContractTest.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.common.base.Ticker;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.sidecar.balancer.MeshCallOptions;
import io.weft.sidecar.balancer.PickedEndpoint;
import io.weft.sidecar.proxy.echo.EchoGrpc;
import io.weft.sidecar.proxy.echo.EchoResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole data path: app, outbound proxy, the callee's inbound proxy, the callee. */
class ProxyChainTest {

  private final FakeEndpointSource source = new FakeEndpointSource();
  private final ProxyMetrics metrics =
      new ProxyMetrics(new SimpleMeterRegistry(), Ticker.systemTicker());
  private ScheduledExecutorService scheduler;
  private EchoUpstream callee;
  private InboundProxy inbound;
  private ManagedChannel toInbound;
  private OutboundProxy outbound;
  private ManagedChannel app;

  @BeforeEach
  void setUp() throws Exception {
    scheduler = Executors.newSingleThreadScheduledExecutor();
    callee = new EchoUpstream("echo", "echo-1");
    inbound = InboundProxy.builder(callee.address(), metrics, "echo", "echo-1").start();
    toInbound = EchoUpstream.plaintextChannel(inbound.port());
    source.setRoute("weft.test.proxy.Echo", "echo");
    InetSocketAddress inboundAddress = new InetSocketAddress("127.0.0.1", inbound.port());
    UpstreamChannels channels =
        service ->
            ClientInterceptors.intercept(
                toInbound,
                new ClientInterceptor() {
                  @Override
                  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
                      MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
                    options.getOption(MeshCallOptions.PICKED_UPSTREAM)
                        .record(new PickedEndpoint(service, "echo-1", inboundAddress));
                    return next.newCall(method, options);
                  }
                });
    outbound = OutboundProxy.builder(source, channels, metrics, scheduler).start();
    app = EchoUpstream.plaintextChannel(outbound.port());
  }

  @AfterEach
  void tearDown() throws Exception {
    app.shutdownNow();
    app.awaitTermination(10, TimeUnit.SECONDS);
    outbound.stop(Duration.ofSeconds(5));
    toInbound.shutdownNow();
    toInbound.awaitTermination(10, TimeUnit.SECONDS);
    inbound.stop(Duration.ofSeconds(5));
    callee.close();
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void call_crossesBothProxies_withMetadataDeadlineAndOneUpstreamHeader() {
    Metadata headers = new Metadata();
    headers.put(ForwardingContractTest.TEXT_HEADER, "through");
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();

    EchoResponse response =
        EchoGrpc.newBlockingStub(app)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(headers),
                MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers))
            .unary(request("far").build());

    assertThat(response.getMessage()).isEqualTo("far");
    assertThat(response.getRequestHeadersMap()).containsEntry("x-test-text", "through");
    assertThat(response.getDeadlineRemainingMillis()).isBetween(1_000L, 5_000L);
    assertThat(responseHeaders.get().getAll(ForwardedMetadata.UPSTREAM))
        .containsExactly("echo/echo-1");
    assertThat(trailers.get().get(EchoService.TRAILER)).isEqualTo("bye");
  }

  @Test
  void failure_crossesBothProxies_withItsDetails() {
    StatusRuntimeException error =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                EchoGrpc.newBlockingStub(app)
                    .unary(
                        request("x")
                            .setFailCode(Status.Code.PERMISSION_DENIED.value())
                            .setFailMessage("not you")
                            .build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(error.getStatus().getDescription()).isEqualTo("not you");
    assertThat(StatusProto.fromThrowable(error).getDetailsCount()).isEqualTo(1);
    assertThat(error.getTrailers().getAll(ForwardedMetadata.UPSTREAM))
        .containsExactly("echo/echo-1");
  }
}
