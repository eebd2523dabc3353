package io.weft.sidecar.agent;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.stub.StreamObserver;
import io.weft.sidecar.agent.testproto.EchoGrpc;
import io.weft.sidecar.agent.testproto.EchoMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A local app for the agent's tests: a real Netty server on 127.0.0.1 (port 0) serving Echo, a
 * health service (a {@link HealthStatusManager}'s, another one, or none), a server reflection
 * version (or none) and any extra services.
 */
final class FakeApp implements AutoCloseable {

  /** Which server reflection the app offers. */
  enum Reflection {
    V1,
    V1ALPHA,
    NONE
  }

  private final HealthStatusManager health = new HealthStatusManager();
  private final Server server;
  private final int port;

  private FakeApp(boolean managedHealth, Reflection reflection, BindableService... extra) {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new Echo());
    if (managedHealth) {
      builder.addService(health.getHealthService());
    }
    switch (reflection) {
      case V1 -> builder.addService(ProtoReflectionServiceV1.newInstance());
      case V1ALPHA -> builder.addService(ProtoReflectionService.newInstance());
      case NONE -> { }
    }
    for (BindableService service : extra) {
      builder.addService(service);
    }
    try {
      server = builder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    port = server.getPort();
  }

  /** Echo, the HealthStatusManager's health service, the given reflection and extras. */
  static FakeApp withHealth(Reflection reflection, BindableService... extra) {
    return new FakeApp(true, reflection, extra);
  }

  /** Echo, the given reflection and extras (such as a health service of the test's own). */
  static FakeApp withoutManagedHealth(Reflection reflection, BindableService... extra) {
    return new FakeApp(false, reflection, extra);
  }

  /** Sets what the app's health service reports (when it uses the HealthStatusManager). */
  HealthStatusManager health() {
    return health;
  }

  int port() {
    return port;
  }

  ManagedChannel newChannel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", port()).usePlaintext().build();
  }

  /** Stops the server at once; open calls fail. */
  void shutdownNow() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    shutdownNow();
  }

  private static final class Echo extends EchoGrpc.EchoImplBase {
    @Override
    public void echo(EchoMessage request, StreamObserver<EchoMessage> response) {
      response.onNext(request);
      response.onCompleted();
    }
  }
}
