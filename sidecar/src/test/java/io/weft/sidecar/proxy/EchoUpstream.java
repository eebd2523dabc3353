package io.weft.sidecar.proxy;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.sidecar.balancer.MeshCallOptions;
import io.weft.sidecar.balancer.PickedEndpoint;
import io.weft.sidecar.balancer.PickedUpstream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One instance of the echo app on a real Netty server on loopback, with a channel to it that fills
 * the {@link PickedUpstream} holder as the mesh balancer would.
 */
final class EchoUpstream {

  /** Message limit of the test servers and clients: above the proxy's, so the proxy's binds. */
  static final int LARGE_LIMIT = 16 * 1024 * 1024;

  final EchoService service = new EchoService();
  final Server server;
  final ManagedChannel channel;
  private final String meshService;
  private final String instanceId;

  EchoUpstream(String meshService, String instanceId) throws IOException {
    this.meshService = meshService;
    this.instanceId = instanceId;
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(service, service.interceptor()))
            .maxInboundMessageSize(LARGE_LIMIT)
            .build()
            .start();
    this.channel = plaintextChannel(port());
  }

  int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  /** The address the server listens at. */
  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", port());
  }

  /** The channel, recording each call's pick in the call's holder, like the mesh balancer. */
  Channel pickingChannel() {
    ClientInterceptor picker =
        new ClientInterceptor() {
          @Override
          public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
              MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
            PickedUpstream holder = options.getOption(MeshCallOptions.PICKED_UPSTREAM);
            if (holder != null) {
              holder.record(new PickedEndpoint(
                  meshService, instanceId, address()));
            }
            return next.newCall(method, options);
          }
        };
    return ClientInterceptors.intercept(channel, picker);
  }

  /** This upstream as a SERVING mesh instance. */
  Instance instance() {
    return Instance.newBuilder()
        .setService(meshService)
        .setInstanceId(instanceId)
        .setAddress("127.0.0.1")
        .setPort(port())
        .setWeight(100)
        .setHealth(HealthStatus.SERVING)
        .build();
  }

  /** A plaintext Netty channel to a loopback port, accepting large messages. */
  static ManagedChannel plaintextChannel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .maxInboundMessageSize(LARGE_LIMIT)
        .build();
  }

  /** Stops the server and the channel. */
  void close() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(10, TimeUnit.SECONDS);
    server.awaitTermination(10, TimeUnit.SECONDS);
  }
}
