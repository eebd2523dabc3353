package io.weft.e2e;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.weft.sidecar.proxy.EchoService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar tests' echo app ({@code weft.test.proxy.Echo}: every call type, headers, trailers,
 * failures with details, stalls) on a real Netty server on 127.0.0.1 port 0, which also notes
 * which calls it saw cancelled, by their {@value #CALL_ID} request header.
 */
final class EchoApp implements AutoCloseable {

  /** The request header that names a call, so that the app can tell which call was cancelled. */
  static final String CALL_ID = "x-e2e-call-id";

  /** Large enough that the app never refuses what the sidecars' 4 MiB limit lets through. */
  static final int MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

  private static final Metadata.Key<String> CALL_ID_KEY =
      Metadata.Key.of(CALL_ID, Metadata.ASCII_STRING_MARSHALLER);

  private final EchoService service = new EchoService();
  private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
  private final Server server;

  EchoApp() throws IOException {
    ServerInterceptor noteCancellations = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
          Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        String id = headers.get(CALL_ID_KEY);
        return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
          @Override
          public void onCancel() {
            if (id != null) {
              cancelled.add(id);
            }
            super.onCancel();
          }
        };
      }
    };
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(service, service.interceptor(), noteCancellations))
        .maxInboundMessageSize(MAX_MESSAGE_SIZE)
        .build()
        .start();
  }

  int port() {
    return server.getPort();
  }

  /** Whether the app saw the call named {@code callId} cancelled. */
  boolean sawCancelled(String callId) {
    return cancelled.contains(callId);
  }

  /** A request header set naming the call {@code callId}. */
  static Metadata callId(String callId) {
    Metadata headers = new Metadata();
    headers.put(CALL_ID_KEY, callId);
    return headers;
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
