package io.weft.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.common.base.Ticker;
import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.sidecar.proxy.echo.EchoGrpc;
import io.weft.sidecar.proxy.echo.EchoRequest;
import io.weft.sidecar.proxy.echo.EchoResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What both proxies must forward transparently, run against each of them through real Netty servers
 * and channels on loopback: every call type, metadata, status and details, deadlines, cancellation,
 * flow control, message size limits and compression.
 */
abstract class ForwardingContractTest {

  static final Duration WAIT = Duration.ofSeconds(20);
  static final int MIB = 1024 * 1024;
  static final Metadata.Key<String> TEXT_HEADER =
      Metadata.Key.of("x-test-text", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<byte[]> BINARY_HEADER =
      Metadata.Key.of("x-test-bin", Metadata.BINARY_BYTE_MARSHALLER);

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ProxyMetrics metrics = new ProxyMetrics(registry, Ticker.systemTicker());
  EchoUpstream upstream;
  ManagedChannel client;
  EchoGrpc.EchoBlockingStub blocking;
  EchoGrpc.EchoStub async;

  /** Starts the proxy under test in front of {@code upstream}; returns its port. */
  abstract int startProxy(EchoUpstream upstream) throws Exception;

  /** Stops the proxy under test. */
  abstract void stopProxy() throws Exception;

  /** The caller's channel to the proxy. */
  ManagedChannel clientChannel(int proxyPort) {
    return EchoUpstream.plaintextChannel(proxyPort);
  }

  @BeforeEach
  void setUpProxy() throws Exception {
    upstream = new EchoUpstream("echo", "echo-1");
    client = clientChannel(startProxy(upstream));
    blocking = EchoGrpc.newBlockingStub(client);
    async = EchoGrpc.newStub(client);
  }

  @AfterEach
  void tearDownProxy() throws Exception {
    client.shutdownNow();
    client.awaitTermination(10, TimeUnit.SECONDS);
    stopProxy();
    upstream.close();
  }

  static EchoRequest.Builder request(String message) {
    return EchoRequest.newBuilder().setMessage(message);
  }

  @Test
  void unary_isForwarded() {
    EchoResponse response = blocking.unary(request("hi").setResponseSize(10).build());

    assertThat(response.getMessage()).isEqualTo("hi");
    assertThat(response.getPayload().size()).isEqualTo(10);
  }

  @Test
  void clientStreaming_isForwarded() {
    StreamRecorder responses = new StreamRecorder();
    StreamObserver<EchoRequest> requests = async.clientStream(responses);
    for (int i = 0; i < 5; i++) {
      requests.onNext(request("m" + i).build());
    }
    requests.onCompleted();

    assertThat(responses.awaitDone()).isEqualTo(Status.Code.OK);
    assertThat(responses.messages)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getRequestCount()).isEqualTo(5);
              assertThat(r.getMessage()).isEqualTo("m4");
            });
  }

  @Test
  void serverStreaming_isForwarded() {
    Iterator<EchoResponse> responses =
        blocking.serverStream(request("s").setResponseCount(20).setResponseSize(100).build());

    List<Integer> indexes = new ArrayList<>();
    responses.forEachRemaining(r -> indexes.add(r.getIndex()));
    assertThat(indexes).hasSize(20).isSorted().startsWith(0).endsWith(19);
  }

  @Test
  void bidiStreaming_isForwarded_oneResponsePerRequest() {
    StreamRecorder responses = new StreamRecorder();
    StreamObserver<EchoRequest> requests = async.bidi(responses);
    for (int i = 0; i < 10; i++) {
      requests.onNext(request("b" + i).build());
    }
    requests.onCompleted();

    assertThat(responses.awaitDone()).isEqualTo(Status.Code.OK);
    assertThat(responses.messages)
        .extracting(EchoResponse::getMessage)
        .containsExactly("b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9");
  }

  @Test
  void metadata_passesBothWays_textAndBinary() {
    Metadata requestHeaders = new Metadata();
    requestHeaders.put(TEXT_HEADER, "one");
    requestHeaders.put(TEXT_HEADER, "two");
    requestHeaders.put(BINARY_HEADER, new byte[] {0, (byte) 0xfe, 7});
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();

    EchoResponse response =
        blocking
            .withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(requestHeaders),
                MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers))
            .unary(request("meta").build());

    assertThat(response.getRequestHeadersMap())
        .containsEntry("x-test-text", "one,two")
        .containsEntry(
            "x-test-bin", Base64.getEncoder().encodeToString(new byte[] {0, (byte) 0xfe, 7}))
        .containsEntry("content-type", "application/grpc");
    assertThat(response.getRequestHeadersMap().get("user-agent")).doesNotContain(",");
    assertThat(responseHeaders.get().get(EchoService.RESPONSE_HEADER)).isEqualTo("hello");
    assertThat(trailers.get().get(EchoService.TRAILER)).isEqualTo("bye");
    assertThat(trailers.get().get(EchoService.BINARY_TRAILER))
        .containsExactly(0, 1, 2, (byte) 0xff);
  }

  @Test
  void failure_passesCodeDescriptionDetailsAndTrailers() {
    StatusRuntimeException error =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                blocking.unary(
                    request("x")
                        .setFailCode(Status.Code.FAILED_PRECONDITION.value())
                        .setFailMessage("nope: the echo said so")
                        .build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(error.getStatus().getDescription()).isEqualTo("nope: the echo said so");
    com.google.rpc.Status details = StatusProto.fromThrowable(error);
    assertThat(details).isNotNull();
    assertThat(details.getDetailsList())
        .singleElement()
        .satisfies(
            any ->
                assertThat(any.unpack(ErrorInfo.class).getReason())
                    .isEqualTo(EchoService.ERROR_REASON));
    assertThat(error.getTrailers().get(EchoService.TRAILER)).isEqualTo("bye");
  }

  @Test
  void failureMidStream_reachesTheCaller() {
    StreamRecorder responses = new StreamRecorder();
    StreamObserver<EchoRequest> requests = async.bidi(responses);
    requests.onNext(request("first").build());
    await().atMost(WAIT).until(() -> responses.messages.size() == 1);

    requests.onNext(
        request("second").setFailCode(Status.Code.ABORTED.value()).setFailMessage("boom").build());

    assertThat(responses.awaitDone()).isEqualTo(Status.Code.ABORTED);
    assertThat(responses.status.get().getDescription()).isEqualTo("boom");
  }

  @Test
  void upstreamGoingAway_endsTheCallWithItsStatus() {
    StreamRecorder responses = new StreamRecorder();
    StreamObserver<EchoRequest> requests = async.bidi(responses);
    requests.onNext(request("first").build());
    await().atMost(WAIT).until(() -> responses.messages.size() == 1);

    upstream.server.shutdownNow();

    assertThat(responses.awaitDone()).isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED);
  }

  @Test
  void deadline_reachesTheUpstream() {
    EchoResponse response =
        blocking.withDeadlineAfter(5, TimeUnit.SECONDS).unary(request("d").build());

    assertThat(response.getDeadlineRemainingMillis()).isBetween(1_000L, 5_000L);
  }

  @Test
  void noDeadline_reachesTheUpstreamAsNoDeadline() {
    assertThat(blocking.unary(request("d").build()).getDeadlineRemainingMillis()).isEqualTo(-1);
  }

  @Test
  void deadlineExpiry_failsTheCallerAndCancelsTheUpstream() {
    blocking.unary(request("warm up the connections").build());
    StreamRecorder responses = new StreamRecorder();

    async
        .withDeadlineAfter(1500, TimeUnit.MILLISECONDS)
        .unary(request("slow").setStall(true).build(), responses);

    await().atMost(WAIT).until(() -> upstream.service.callsStarted.get() == 2);
    assertThat(responses.awaitDone()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    await().atMost(WAIT).until(() -> upstream.service.cancelled.get() == 1);
  }

  @Test
  void callerCancel_cancelsTheUpstream() {
    StreamRecorder responses = new StreamRecorder();
    ClientCallStreamObserver<EchoRequest> requests =
        (ClientCallStreamObserver<EchoRequest>) async.bidi(responses);
    requests.onNext(request("first").build());
    await().atMost(WAIT).until(() -> responses.messages.size() == 1);

    requests.cancel("the test gives up", null);

    await().atMost(WAIT).until(() -> upstream.service.cancelled.get() == 1);
    assertThat(responses.awaitDone()).isEqualTo(Status.Code.CANCELLED);
  }

  @Test
  void slowCaller_doesNotMakeTheProxyBuffer_thenGetsEverything() {
    int count = 400;
    int size = 64 * 1024;
    ClientCall<EchoRequest, EchoResponse> call =
        client.newCall(EchoGrpc.getServerStreamMethod(), CallOptions.DEFAULT);
    BlockingQueue<EchoResponse> received = new LinkedBlockingQueue<>();
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onMessage(EchoResponse message) {
            received.add(message);
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        new Metadata());
    call.sendMessage(request("flood").setResponseCount(count).setResponseSize(size).build());
    call.halfClose();

    await().atMost(WAIT).untilTrue(upstream.service.streamBlocked);
    // The reader reads nothing: the upstream stays blocked at a bounded number sent
    // (flow-control windows of a few MiB, not the 25 MiB it tries to send).
    await()
        .during(Duration.ofMillis(500))
        .atMost(WAIT)
        .until(() -> upstream.service.streamSent.get() < count / 4);
    assertThat(received).isEmpty();

    call.request(count);

    await().atMost(WAIT).until(closed::isDone);
    assertThat(closed.join().getCode()).isEqualTo(Status.Code.OK);
    assertThat(received).hasSize(count);
    assertThat(upstream.service.streamSent.get()).isEqualTo(count);
  }

  @Test
  void slowUpstreamReader_doesNotMakeTheProxyBuffer_thenGetsEverything() {
    int count = 400;
    ByteString payload = ByteString.copyFrom(new byte[64 * 1024]);
    AtomicInteger sent = new AtomicInteger();
    StreamRecorder responses = new StreamRecorder();
    ClientResponseObserver<EchoRequest, EchoResponse> observer =
        new ClientResponseObserver<>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<EchoRequest> requests) {
            requests.setOnReadyHandler(
                () -> {
                  while (requests.isReady() && sent.get() < count) {
                    EchoRequest.Builder next = request("r" + sent.get()).setPayload(payload);
                    requests.onNext(next.setHoldRequests(sent.get() == 0).build());
                    if (sent.incrementAndGet() == count) {
                      requests.onCompleted();
                    }
                  }
                });
          }

          @Override
          public void onNext(EchoResponse value) {
            responses.onNext(value);
          }

          @Override
          public void onError(Throwable t) {
            responses.onError(t);
          }

          @Override
          public void onCompleted() {
            responses.onCompleted();
          }
        };

    async.clientStream(observer);

    // The upstream reads nothing: the caller is held back at a bounded number sent.
    await().atMost(WAIT).until(() -> sent.get() > 0);
    await()
        .during(Duration.ofMillis(500))
        .atMost(WAIT)
        .until(() -> sent.get() > 0 && sent.get() < count / 4);
    upstream.service.releaseRequests.complete(null);

    assertThat(responses.awaitDone()).isEqualTo(Status.Code.OK);
    assertThat(responses.messages)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getRequestCount()).isEqualTo(count);
              assertThat(r.getMessage()).isEqualTo("r" + (count - 1));
            });
  }

  @Test
  void threeMibMessages_passBothWays() {
    EchoResponse response =
        blocking.unary(
            request("big")
                .setPayload(ByteString.copyFrom(new byte[3 * MIB]))
                .setResponseSize(3 * MIB)
                .build());

    assertThat(response.getPayload().size()).isEqualTo(3 * MIB);
  }

  @Test
  void oversizedRequest_getsResourceExhausted() {
    StatusRuntimeException error =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                blocking.unary(
                    request("too big").setPayload(ByteString.copyFrom(new byte[5 * MIB])).build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(blocking.unary(request("after").build()).getMessage()).isEqualTo("after");
  }

  @Test
  void oversizedResponse_getsResourceExhausted() {
    StatusRuntimeException error =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> blocking.unary(request("too big back").setResponseSize(5 * MIB).build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(error.getStatus().getDescription()).contains("exceeds maximum");
    assertThat(blocking.unary(request("after").build()).getMessage()).isEqualTo("after");
  }

  @Test
  void gzipRequest_isAcceptedAndForwardedCompressed() {
    EchoResponse response =
        blocking.withCompression("gzip").unary(request("zip").setResponseSize(1000).build());

    assertThat(response.getMessage()).isEqualTo("zip");
    assertThat(response.getRequestHeadersMap()).containsEntry("grpc-encoding", "gzip");
  }

  @Test
  void gzipResponse_reachesACallerThatAcceptsIt() {
    AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();

    EchoResponse response =
        blocking
            .withInterceptors(
                MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers))
            .unary(request("zip").setCompressResponse(true).setResponseSize(1000).build());

    assertThat(response.getPayload().size()).isEqualTo(1000);
    assertThat(responseHeaders.get().get(ForwardedMetadata.MESSAGE_ENCODING)).isEqualTo("gzip");
  }

  /** Collects a response stream. */
  static final class StreamRecorder implements StreamObserver<EchoResponse> {
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

    Status.Code awaitDone() {
      await().atMost(WAIT).until(() -> status.get() != null);
      return status.get().getCode();
    }
  }
}
