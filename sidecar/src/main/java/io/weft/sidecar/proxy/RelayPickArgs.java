package io.weft.sidecar.proxy;

import io.grpc.CallOptions;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * What the frame relay tells a balancer's picker about a call: its method and options (the
 * deadline, and the holder the mesh picker records its pick in). The relay does not decode the
 * caller's headers for the picker; it sees none. The method descriptor, and the method name in it,
 * are built only if a picker asks for them (the mesh policies do not).
 */
final class RelayPickArgs extends PickSubchannelArgs {

  private final CharSequence path;
  private final CallOptions options;
  private Metadata headers;
  private MethodDescriptor<byte[], byte[]> method;

  /** The arguments of a pick for a call to {@code path} ({@code /service/method}). */
  RelayPickArgs(CharSequence path, CallOptions options) {
    this.path = path;
    this.options = options;
  }

  @Override
  public CallOptions getCallOptions() {
    return options;
  }

  @Override
  public Metadata getHeaders() {
    if (headers == null) {
      headers = new Metadata();
    }
    return headers;
  }

  @Override
  public MethodDescriptor<?, ?> getMethodDescriptor() {
    if (method == null) {
      method = MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNKNOWN)
          .setFullMethodName(RelayHeaders.fullMethodName(path))
          .setRequestMarshaller(ByteArrayMarshaller.INSTANCE)
          .setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
          .build();
    }
    return method;
  }
}
