package io.weft.controlplane.discovery;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.SocketAddress;

/** Makes the remote address of a call visible to the service through {@link #PEER}. */
final class PeerAddressInterceptor implements ServerInterceptor {

  /** The remote address of the current call, or null if the transport did not say. */
  static final Context.Key<SocketAddress> PEER = Context.key("weft-discovery-peer");

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    Context context = Context.current().withValue(PEER, peer);
    return Contexts.interceptCall(context, call, headers, next);
  }
}
