package io.weft.bench;

import io.grpc.HandlerRegistry;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.BiFunction;

/**
 * A fallback registry for the benchmark's grpc-java relays: every method name is a unary method
 * with messages as bytes, handled by what {@code handlers} makes of the method name and
 * authority.
 */
final class AnyUnaryMethod extends HandlerRegistry {

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private final BiFunction<String, String, ServerCallHandler<byte[], byte[]>> handlers;

  AnyUnaryMethod(BiFunction<String, String, ServerCallHandler<byte[], byte[]>> handlers) {
    this.handlers = handlers;
  }

  @Override
  public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
    MethodDescriptor<byte[], byte[]> method = MethodDescriptor.newBuilder(BYTES, BYTES)
        .setFullMethodName(methodName)
        .setType(MethodDescriptor.MethodType.UNARY)
        .build();
    return ServerMethodDefinition.create(method, handlers.apply(methodName, authority));
  }
}
