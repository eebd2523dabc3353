package io.weft.sidecar.balancer;

import io.grpc.CallOptions;
import io.grpc.LoadBalancer;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.io.InputStream;

/** The arguments of one pick, as the channel passes them. */
final class PickArgs extends LoadBalancer.PickSubchannelArgs {

  private static final MethodDescriptor<Void, Void> METHOD =
      MethodDescriptor.<Void, Void>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test.Service/Method")
          .setRequestMarshaller(new VoidMarshaller())
          .setResponseMarshaller(new VoidMarshaller())
          .build();

  private final CallOptions callOptions;

  PickArgs(CallOptions callOptions) {
    this.callOptions = callOptions;
  }

  PickArgs() {
    this(CallOptions.DEFAULT);
  }

  @Override
  public CallOptions getCallOptions() {
    return callOptions;
  }

  @Override
  public Metadata getHeaders() {
    return new Metadata();
  }

  @Override
  public MethodDescriptor<?, ?> getMethodDescriptor() {
    return METHOD;
  }

  private static final class VoidMarshaller implements MethodDescriptor.Marshaller<Void> {
    @Override
    public InputStream stream(Void value) {
      return InputStream.nullInputStream();
    }

    @Override
    public Void parse(InputStream stream) {
      return null;
    }
  }
}
