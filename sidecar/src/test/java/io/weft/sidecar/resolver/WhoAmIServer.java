package io.weft.sidecar.resolver;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real Netty server on 127.0.0.1 (a free port) whose unary methods answer with its own id, so
 * that a test sees which instance served each call: {@code WhoAmI} answers at once, {@code Hang}
 * never answers, {@code FailOnce} fails the first call made to any server sharing the flag with
 * UNAVAILABLE and answers every other.
 */
final class WhoAmIServer {

  static final MethodDescriptor<String, String> WHO_AM_I = method("WhoAmI");
  static final MethodDescriptor<String, String> HANG = method("Hang");
  static final MethodDescriptor<String, String> FAIL_ONCE = method("FailOnce");

  private final String id;
  private final Server server;

  WhoAmIServer(String id, AtomicBoolean failedOnce) throws IOException {
    this.id = id;
    ServerServiceDefinition service = ServerServiceDefinition.builder("test.Who")
        .addMethod(WHO_AM_I, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(id);
          response.onCompleted();
        }))
        .addMethod(HANG, ServerCalls.asyncUnaryCall((request, response) -> {}))
        .addMethod(FAIL_ONCE, ServerCalls.asyncUnaryCall((request, response) -> {
          if (failedOnce.compareAndSet(false, true)) {
            response.onError(Status.UNAVAILABLE.withDescription("first call fails")
                .asRuntimeException());
          } else {
            response.onNext(id);
            response.onCompleted();
          }
        }))
        .build();
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(service)
        .build()
        .start();
  }

  String id() {
    return id;
  }

  int port() {
    return server.getPort();
  }

  void stop() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }

  private static MethodDescriptor<String, String> method(String name) {
    return MethodDescriptor.<String, String>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Who", name))
        .setRequestMarshaller(Utf8Marshaller.INSTANCE)
        .setResponseMarshaller(Utf8Marshaller.INSTANCE)
        .build();
  }

  private enum Utf8Marshaller implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("reading a message", e);
      }
    }
  }
}
