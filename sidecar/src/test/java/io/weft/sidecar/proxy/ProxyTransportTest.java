package io.weft.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProxyTransportTest {

  @Test
  void threadsOutsideOneToSixtyFourAreRejected() {
    assertThatThrownBy(() -> ProxyTransport.create(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threads: 0 (expected: 1..64)");
    assertThatThrownBy(() -> ProxyTransport.create(65))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("threads: 65 (expected: 1..64)");
  }

  @Test
  void serverAndChannelBothRunOnTheTransportsThread() throws Exception {
    CompletableFuture<String> serverThread = new CompletableFuture<>();
    ServerInterceptor recordThread = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
          Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        serverThread.complete(Thread.currentThread().getName());
        return next.startCall(call, headers);
      }
    };
    try (ProxyTransport transport = ProxyTransport.create(1)) {
      Server server = transport
          .configure(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))
          .addService(ServerInterceptors.intercept(
              new HealthStatusManager().getHealthService(), recordThread))
          .directExecutor()
          .build()
          .start();
      int port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
      ManagedChannel channel = transport.channelBuilder("127.0.0.1:" + port).build();
      try {
        // A first call connects the channel: a call made before it is ready waits in grpc-java's
        // delayed transport and may be answered on grpc-java's default executor instead.
        assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus())
            .isEqualTo(ServingStatus.SERVING);
        CompletableFuture<String> clientThread = new CompletableFuture<>();
        CompletableFuture<ServingStatus> answer = new CompletableFuture<>();
        HealthGrpc.newStub(channel)
            .withExecutor(MoreExecutors.directExecutor())
            .check(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>() {
              @Override
              public void onNext(HealthCheckResponse response) {
                clientThread.complete(Thread.currentThread().getName());
                answer.complete(response.getStatus());
              }

              @Override
              public void onError(Throwable t) {
                answer.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });

        assertThat(answer.get(20, TimeUnit.SECONDS)).isEqualTo(ServingStatus.SERVING);
        assertThat(serverThread.get(20, TimeUnit.SECONDS)).startsWith("weft-proxy-io");
        assertThat(clientThread.get(20, TimeUnit.SECONDS)).isEqualTo(serverThread.get());
      } finally {
        channel.shutdownNow();
        server.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
        server.awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }
}
