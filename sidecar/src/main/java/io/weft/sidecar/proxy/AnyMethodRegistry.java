package io.weft.sidecar.proxy;

import static java.util.Objects.requireNonNull;

import io.grpc.HandlerRegistry;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;

/**
 * A fallback {@link HandlerRegistry} that accepts every method name and hands the call to one
 * handler, with messages as bytes.
 */
final class AnyMethodRegistry extends HandlerRegistry {

  private final ServerCallHandler<byte[], byte[]> handler;

  AnyMethodRegistry(ServerCallHandler<byte[], byte[]> handler) {
    this.handler = requireNonNull(handler, "handler");
  }

  @Override
  public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
    MethodDescriptor<byte[], byte[]> method =
        MethodDescriptor.newBuilder(ByteArrayMarshaller.INSTANCE, ByteArrayMarshaller.INSTANCE)
            .setFullMethodName(methodName)
            .setType(MethodDescriptor.MethodType.UNKNOWN)
            .build();
    return ServerMethodDefinition.create(method, handler);
  }
}
