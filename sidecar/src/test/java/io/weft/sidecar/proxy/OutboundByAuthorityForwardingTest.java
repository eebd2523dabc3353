package io.weft.sidecar.proxy;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The forwarding contract through the outbound proxy, routed by {@code :authority}: the gRPC
 * service has no route, the authority names the mesh service.
 */
class OutboundByAuthorityForwardingTest extends ForwardingContractTest {

  private final FakeEndpointSource source = new FakeEndpointSource();
  private ScheduledExecutorService scheduler;
  private OutboundProxy proxy;

  @Override
  int startProxy(EchoUpstream upstream) throws Exception {
    source.setService("echo", 1);
    source.setRoute("weft.test.proxy.Echo");
    scheduler = Executors.newSingleThreadScheduledExecutor();
    proxy =
        OutboundProxy.builder(source, service -> upstream.pickingChannel(), metrics, scheduler)
            .start();
    return proxy.port();
  }

  @Override
  ManagedChannel clientChannel(int proxyPort) {
    return NettyChannelBuilder.forAddress("127.0.0.1", proxyPort)
        .usePlaintext()
        .overrideAuthority("echo:15001")
        .maxInboundMessageSize(EchoUpstream.LARGE_LIMIT)
        .build();
  }

  @Override
  void stopProxy() throws Exception {
    proxy.stop(Duration.ofSeconds(5));
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
  }
}
