package io.weft.bench;

import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.weft.sidecar.proxy.ByteArrayMarshaller;

/**
 * A fallback registry for the benchmark's grpc-java relays: every method name is a unary method
 * with messages as bytes; once the caller has sent its one request and half-closed, the call goes
 * to a {@link Relay} (a call without a request message ends INTERNAL).
 */
final class AnyUnaryMethod extends HandlerRegistry {

  /** What a relay does with a caller's unary call once its request is in. */
  interface Relay {
    void relay(ServerCall<byte[], byte[]> call, Metadata headers, byte[] request);
  }

  private final ServerCallHandler<byte[], byte[]> handler;

  AnyUnaryMethod(Relay relay) {
    this.handler = (call, headers) -> {
      call.request(2);
      return new ServerCall.Listener<>() {
        private byte[] request;

        @Override
        public void onMessage(byte[] message) {
          request = message;
        }

        @Override
        public void onHalfClose() {
          if (request == null) {
            call.close(Status.INTERNAL.withDescription("no request message"), new Metadata());
          } else {
            relay.relay(call, headers, request);
          }
        }
      };
    };
  }

  @Override
  public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
    MethodDescriptor<byte[], byte[]> method = MethodDescriptor
        .newBuilder(ByteArrayMarshaller.INSTANCE, ByteArrayMarshaller.INSTANCE)
        .setFullMethodName(methodName)
        .setType(MethodDescriptor.MethodType.UNARY)
        .build();
    return ServerMethodDefinition.create(method, handler);
  }
}
