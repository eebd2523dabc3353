package io.weft.sidecar;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.stub.StreamObserver;
import io.weft.sidecar.agent.testproto.EchoGrpc;
import io.weft.sidecar.agent.testproto.EchoMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An app for the sidecar's integration tests: a real Netty server on 127.0.0.1 (a free port)
 * whose {@code weft.agenttest.Echo/Echo} answers with the app's own id (a request {@value #HOLD}
 * only when the test {@link #release releases} it), with a health service the test flips and
 * server reflection (so its sidecar registers {@code weft.agenttest.Echo}).
 */
final class WhoAmIApp implements AutoCloseable {

  /** The request text of a call held until {@link #release()}. */
  static final String HOLD = "hold";

  /** The gRPC service the app serves. */
  static final String GRPC_SERVICE = "weft.agenttest.Echo";

  private final String id;
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server server;
  private final List<StreamObserver<EchoMessage>> held = new CopyOnWriteArrayList<>();

  WhoAmIApp(String id) throws IOException {
    this.id = id;
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new WhoAmI())
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .build()
        .start();
  }

  String id() {
    return id;
  }

  int port() {
    return server.getPort();
  }

  /** Sets what the app's overall health ({@code ""}) reports. */
  void serving(boolean serving) {
    health.setStatus("", serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  }

  /** How many calls are held now. */
  int held() {
    return held.size();
  }

  /** Answers every held call. */
  void release() {
    for (StreamObserver<EchoMessage> call : held) {
      held.remove(call);
      answer(call);
    }
  }

  private void answer(StreamObserver<EchoMessage> call) {
    call.onNext(EchoMessage.newBuilder().setText(id).build());
    call.onCompleted();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }

  private final class WhoAmI extends EchoGrpc.EchoImplBase {
    @Override
    public void echo(EchoMessage request, StreamObserver<EchoMessage> response) {
      if (request.getText().equals(HOLD)) {
        held.add(response);
      } else {
        answer(response);
      }
    }
  }
}
