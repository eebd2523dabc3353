package io.weft.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.weft.demo.UpstreamHeader;
import io.weft.sidecar.proxy.EchoService;
import io.weft.sidecar.proxy.echo.EchoGrpc;
import io.weft.sidecar.proxy.echo.EchoRequest;
import io.weft.sidecar.proxy.echo.EchoResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The proxy path through real sidecar processes: the test calls the client sidecar's outbound
 * proxy, which forwards to the server sidecar's inbound proxy, which forwards to the echo app.
 * Every call type, metadata both ways, status and details, deadlines, cancellation and the
 * message size limit must pass as if there were no proxy at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyTransparencyTest {

  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final int MIB = 1024 * 1024;
  private static final Metadata.Key<String> TEXT_HEADER =
      Metadata.Key.of("x-e2e-text", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<byte[]> BINARY_HEADER =
      Metadata.Key.of("x-e2e-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private ControlPlaneProcess controlPlane;
  private EchoApp app;
  private SidecarProcess appSidecar;
  private SidecarProcess clientSidecar;
  private ManagedChannel channel;
  private EchoGrpc.EchoBlockingStub blocking;
  private EchoGrpc.EchoStub async;

  @BeforeAll
  void startMesh() throws Exception {
    controlPlane = ControlPlaneProcess.start("cp-1", 0);
    app = new EchoApp();
    appSidecar = SidecarProcess.launchForApp("echo", "echo-1", app.port(), controlPlane,
        List.of("--grpc-service", EchoGrpc.SERVICE_NAME));
    clientSidecar = SidecarProcess.launchForClient(controlPlane);
    appSidecar.awaitReady();
    clientSidecar.awaitReady();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", clientSidecar.outboundPort())
        .overrideAuthority("echo")
        .usePlaintext()
        .disableRetry()
        .maxInboundMessageSize(EchoApp.MAX_MESSAGE_SIZE)
        .build();
    blocking = EchoGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    async = EchoGrpc.newStub(channel);
  }

  @AfterAll
  void stopMesh() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    for (AutoCloseable process : new AutoCloseable[] {clientSidecar, appSidecar, app,
        controlPlane}) {
      if (process != null) {
        process.close();
      }
    }
  }

  @Test
  void unary_passesThrough_namingTheUpstreamInstance() {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();

    EchoResponse response = blocking
        .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .unary(request("hi").setResponseSize(10).build());

    assertThat(response.getMessage()).isEqualTo("hi");
    assertThat(response.getPayload().size()).isEqualTo(10);
    assertThat(headers.get().get(UpstreamHeader.KEY)).isEqualTo("echo/echo-1");
  }

  @Test
  void clientStreaming_passesThrough() {
    Recorder responses = new Recorder();
    StreamObserver<EchoRequest> requests = async.clientStream(responses);
    for (int i = 0; i < 5; i++) {
      requests.onNext(request("m" + i).build());
    }
    requests.onCompleted();

    assertThat(responses.awaitClose().getCode()).isEqualTo(Status.Code.OK);
    assertThat(responses.messages).singleElement().satisfies(response -> {
      assertThat(response.getRequestCount()).isEqualTo(5);
      assertThat(response.getMessage()).isEqualTo("m4");
    });
  }

  @Test
  void serverStreaming_passesThrough() {
    List<Integer> indexes = new ArrayList<>();
    blocking.serverStream(request("s").setResponseCount(50).setResponseSize(1000).build())
        .forEachRemaining(response -> indexes.add(response.getIndex()));

    assertThat(indexes).hasSize(50).isSorted().startsWith(0).endsWith(49);
  }

  @Test
  void bidiStreaming_passesThrough_oneResponsePerRequest() {
    Recorder responses = new Recorder();
    StreamObserver<EchoRequest> requests = async.bidi(responses);
    for (int i = 0; i < 10; i++) {
      requests.onNext(request("b" + i).build());
    }
    requests.onCompleted();

    assertThat(responses.awaitClose().getCode()).isEqualTo(Status.Code.OK);
    assertThat(responses.messages).extracting(EchoResponse::getMessage)
        .containsExactly("b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9");
  }

  @Test
  void metadata_requestHeadersReachTheApp_responseHeadersAndTrailersComeBack() {
    Metadata requestHeaders = new Metadata();
    requestHeaders.put(TEXT_HEADER, "one");
    requestHeaders.put(TEXT_HEADER, "two");
    byte[] binary = {0, (byte) 0xfe, 7};
    requestHeaders.put(BINARY_HEADER, binary);
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();

    EchoResponse response = blocking.withInterceptors(
            MetadataUtils.newAttachHeadersInterceptor(requestHeaders),
            MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .unary(request("meta").build());

    assertThat(response.getRequestHeadersMap())
        .containsEntry("x-e2e-text", "one,two")
        .containsEntry("x-e2e-bin", Base64.getEncoder().encodeToString(binary));
    assertThat(headers.get().get(EchoService.RESPONSE_HEADER)).isEqualTo("hello");
    assertThat(headers.get().get(UpstreamHeader.KEY)).isEqualTo("echo/echo-1");
    assertThat(trailers.get().get(EchoService.TRAILER)).isEqualTo("bye");
    assertThat(trailers.get().get(EchoService.BINARY_TRAILER)).containsExactly(0, 1, 2, 0xff);
  }

  @Test
  void failure_passesCodeDescriptionDetailsAndTrailers() {
    StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, () ->
        blocking.unary(request("x")
            .setFailCode(Status.Code.FAILED_PRECONDITION.value())
            .setFailMessage("nope: the echo said so")
            .build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(error.getStatus().getDescription()).isEqualTo("nope: the echo said so");
    com.google.rpc.Status details = StatusProto.fromThrowable(error);
    assertThat(details).isNotNull();
    assertThat(details.getDetailsList()).singleElement().satisfies(any ->
        assertThat(any.unpack(ErrorInfo.class).getReason()).isEqualTo(EchoService.ERROR_REASON));
    assertThat(error.getTrailers().get(EchoService.TRAILER)).isEqualTo("bye");
  }

  @Test
  void deadlineExpiry_givesDeadlineExceeded_andTheAppSeesTheCancellation() {
    Recorder responses = new Recorder();

    async.withDeadlineAfter(1500, TimeUnit.MILLISECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(EchoApp.callId("deadline")))
        .unary(request("slow").setStall(true).build(), responses);

    assertThat(responses.awaitClose().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    await().atMost(BOUND).until(() -> app.sawCancelled("deadline"));
  }

  @Test
  void clientCancellation_reachesTheApp() {
    Recorder responses = new Recorder();
    ClientCallStreamObserver<EchoRequest> requests = (ClientCallStreamObserver<EchoRequest>) async
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(EchoApp.callId("cancel")))
        .bidi(responses);
    requests.onNext(request("first").build());
    await().atMost(BOUND).until(() -> responses.messages.size() == 1);

    requests.cancel("the test gives up", null);

    await().atMost(BOUND).until(() -> app.sawCancelled("cancel"));
    assertThat(responses.awaitClose().getCode()).isEqualTo(Status.Code.CANCELLED);
  }

  @Test
  void oversizedRequest_getsResourceExhausted_andTheNextCallWorks() {
    StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, () ->
        blocking.unary(request("too big")
            .setPayload(ByteString.copyFrom(new byte[4 * MIB + 1])).build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(blocking.unary(request("after").build()).getMessage()).isEqualTo("after");
  }

  @Test
  void oversizedResponse_getsResourceExhausted_andTheNextCallWorks() {
    StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, () ->
        blocking.unary(request("too big back").setResponseSize(5 * MIB).build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(blocking.unary(request("after").build()).getMessage()).isEqualTo("after");
  }

  private static EchoRequest.Builder request(String message) {
    return EchoRequest.newBuilder().setMessage(message);
  }

  /** Collects a response stream and how it closed. */
  private static final class Recorder implements StreamObserver<EchoResponse> {
    final List<EchoResponse> messages = new CopyOnWriteArrayList<>();
    final AtomicReference<Status> status = new AtomicReference<>();

    @Override
    public void onNext(EchoResponse value) {
      messages.add(value);
    }

    @Override
    public void onError(Throwable t) {
      status.set(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      status.set(Status.OK);
    }

    Status awaitClose() {
      await().atMost(BOUND).until(() -> status.get() != null);
      return status.get();
    }
  }
}
