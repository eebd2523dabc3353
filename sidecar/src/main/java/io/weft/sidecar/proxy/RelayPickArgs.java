package io.weft.sidecar.proxy;

import io.grpc.CallOptions;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * What the frame relay tells a balancer's picker about a call: its method and options (the
 * deadline, and the holder the mesh picker records its pick in). The relay does not decode the
 * caller's headers for the picker; it sees none.
 */
final class RelayPickArgs extends PickSubchannelArgs {

  private final MethodDescriptor<byte[], byte[]> method;
  private final CallOptions options;
  private final Metadata headers = new Metadata();

  RelayPickArgs(String fullMethodName, CallOptions options) {
    this.method = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNKNOWN)
        .setFullMethodName(fullMethodName)
        .setRequestMarshaller(ByteArrayMarshaller.INSTANCE)
        .setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
        .build();
    this.options = options;
  }

  @Override
  public CallOptions getCallOptions() {
    return options;
  }

  @Override
  public Metadata getHeaders() {
    return headers;
  }

  @Override
  public MethodDescriptor<?, ?> getMethodDescriptor() {
    return method;
  }
}
