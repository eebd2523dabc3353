package io.weft.sidecar.proxy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.rpc.ErrorInfo;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.weft.sidecar.proxy.echo.EchoGrpc;
import io.weft.sidecar.proxy.echo.EchoRequest;
import io.weft.sidecar.proxy.echo.EchoResponse;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The upstream app of the proxy tests: echoes request headers and the deadline it sees, adds
 * response headers and trailers, fails with a status and details, stalls until cancelled, sends
 * payloads of a requested size, and counts what it sends under flow control. Public for the
 * end-to-end suite, which runs it behind real sidecar processes.
 */
public final class EchoService extends EchoGrpc.EchoImplBase {

  public static final Metadata.Key<String> RESPONSE_HEADER =
      Metadata.Key.of("x-echo-response", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> TRAILER =
      Metadata.Key.of("x-echo-trailer", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<byte[]> BINARY_TRAILER =
      Metadata.Key.of("x-echo-trailer-bin", Metadata.BINARY_BYTE_MARSHALLER);
  public static final String ERROR_REASON = "ECHO_FAILED";

  private static final Context.Key<Metadata> HEADERS = Context.key("echo-request-headers");

  public final AtomicInteger callsStarted = new AtomicInteger();
  public final AtomicInteger cancelled = new AtomicInteger();
  /** The {@code :authority} of the last call started. */
  public final AtomicReference<String> lastAuthority = new AtomicReference<>();
  final AtomicInteger streamSent = new AtomicInteger();
  final AtomicBoolean streamBlocked = new AtomicBoolean();
  final CompletableFuture<Void> releaseRequests = new CompletableFuture<>();

  /**
   * Counts calls, captures request headers for the service, and adds response headers and trailers.
   */
  public ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        callsStarted.incrementAndGet();
        lastAuthority.set(call.getAuthority());
        ServerCall<ReqT, RespT> decorated =
            new SimpleForwardingServerCall<>(call) {
              @Override
              public void sendHeaders(Metadata responseHeaders) {
                responseHeaders.put(RESPONSE_HEADER, "hello");
                super.sendHeaders(responseHeaders);
              }

              @Override
              public void close(Status status, Metadata trailers) {
                trailers.put(TRAILER, "bye");
                trailers.put(BINARY_TRAILER, new byte[] {0, 1, 2, (byte) 0xff});
                super.close(status, trailers);
              }
            };
        ServerCall.Listener<ReqT> listener =
            Contexts.interceptCall(
                Context.current().withValue(HEADERS, headers), decorated, headers, next);
        return new SimpleForwardingServerCallListener<>(listener) {
          @Override
          public void onCancel() {
            cancelled.incrementAndGet();
            super.onCancel();
          }
        };
      }
    };
  }

  @Override
  public void unary(EchoRequest request, StreamObserver<EchoResponse> responses) {
    allowCancellation(responses);
    if (stallOrFail(request, responses)) {
      return;
    }
    if (request.getCompressResponse()) {
      ((ServerCallStreamObserver<EchoResponse>) responses).setCompression("gzip");
    }
    responses.onNext(response(request, 0, 1));
    responses.onCompleted();
  }

  @Override
  public StreamObserver<EchoRequest> clientStream(StreamObserver<EchoResponse> responses) {
    ServerCallStreamObserver<EchoResponse> observer =
        (ServerCallStreamObserver<EchoResponse>) responses;
    allowCancellation(responses);
    observer.disableAutoRequest();
    observer.request(1);
    AtomicInteger count = new AtomicInteger();
    return new StreamObserver<>() {
      private EchoRequest last = EchoRequest.getDefaultInstance();

      @Override
      public void onNext(EchoRequest request) {
        if (count.incrementAndGet() == 1 && request.getHoldRequests()) {
          releaseRequests.thenRun(() -> observer.request(Integer.MAX_VALUE));
        } else {
          observer.request(1);
        }
        last = request;
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        if (!stallOrFail(last, responses)) {
          responses.onNext(response(last, 0, count.get()));
          responses.onCompleted();
        }
      }
    };
  }

  @Override
  public void serverStream(EchoRequest request, StreamObserver<EchoResponse> responses) {
    allowCancellation(responses);
    if (stallOrFail(request, responses)) {
      return;
    }
    ServerCallStreamObserver<EchoResponse> observer =
        (ServerCallStreamObserver<EchoResponse>) responses;
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean done = new AtomicBoolean();
    observer.setOnReadyHandler(
        () -> {
          while (observer.isReady() && next.get() < request.getResponseCount()) {
            observer.onNext(response(request, next.getAndIncrement(), 1));
            streamSent.incrementAndGet();
          }
          if (next.get() < request.getResponseCount()) {
            streamBlocked.set(true);
          } else if (done.compareAndSet(false, true)) {
            observer.onCompleted();
          }
        });
  }

  @Override
  public StreamObserver<EchoRequest> bidi(StreamObserver<EchoResponse> responses) {
    allowCancellation(responses);
    AtomicInteger count = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    return new StreamObserver<>() {
      @Override
      public void onNext(EchoRequest request) {
        int index = count.getAndIncrement();
        if (failed.get() || request.getStall()) {
          return;
        }
        if (request.getFailCode() != 0) {
          failed.set(true);
          responses.onError(failure(request));
          return;
        }
        responses.onNext(response(request, index, index + 1));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        if (!failed.get()) {
          responses.onCompleted();
        }
      }
    };
  }

  private boolean stallOrFail(EchoRequest request, StreamObserver<EchoResponse> responses) {
    if (request.getStall()) {
      return true;
    }
    if (request.getFailCode() != 0) {
      responses.onError(failure(request));
      return true;
    }
    return false;
  }

  /** Lets the call be cancelled while the handler still sends (the interceptor counts it). */
  private static void allowCancellation(StreamObserver<EchoResponse> responses) {
    ((ServerCallStreamObserver<EchoResponse>) responses).setOnCancelHandler(() -> {});
  }

  private static Throwable failure(EchoRequest request) {
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(request.getFailCode())
            .setMessage(request.getFailMessage())
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder().setReason(ERROR_REASON).setDomain("echo.test").build()))
            .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  private static EchoResponse response(EchoRequest request, int index, int requestCount) {
    Deadline deadline = Context.current().getDeadline();
    return EchoResponse.newBuilder()
        .setMessage(request.getMessage())
        .setPayload(ByteString.copyFrom(new byte[request.getResponseSize()]))
        .putAllRequestHeaders(headersSeen())
        .setDeadlineRemainingMillis(
            deadline == null ? -1 : deadline.timeRemaining(TimeUnit.MILLISECONDS))
        .setRequestCount(requestCount)
        .setIndex(index)
        .build();
  }

  private static Map<String, String> headersSeen() {
    Metadata headers = HEADERS.get();
    Map<String, String> seen = new TreeMap<>();
    for (String name : headers.keys()) {
      if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        Iterable<byte[]> values =
            headers.getAll(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER));
        seen.put(name, join(values, v -> Base64.getEncoder().encodeToString(v)));
      } else {
        Iterable<String> values =
            headers.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
        seen.put(name, join(values, v -> v));
      }
    }
    return seen;
  }

  private static <T> String join(Iterable<T> values, Function<T, String> f) {
    List<String> all =
        StreamSupport.stream(values.spliterator(), false).map(f).collect(Collectors.toList());
    return String.join(",", all);
  }
}
