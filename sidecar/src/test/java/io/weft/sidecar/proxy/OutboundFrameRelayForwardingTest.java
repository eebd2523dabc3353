package io.weft.sidecar.proxy;

import io.weft.sidecar.balancer.ClusterStats;
import io.weft.sidecar.balancer.MeshServiceConfig;
import io.weft.sidecar.resolver.MeshChannels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The forwarding contract through the outbound proxy's frame relay, routed by the gRPC service
 * name and picked by a real mesh channel's balancer (outlier detection and {@code weft_mesh}) on
 * one event loop shared by the relay's connections, as in the sidecar.
 */
class OutboundFrameRelayForwardingTest extends ForwardingContractTest {

  final FakeEndpointSource source = new FakeEndpointSource();
  final ClusterStats stats = new ClusterStats();
  private ScheduledExecutorService scheduler;
  private ProxyTransport transport;
  private MeshChannelPool pool;
  OutboundProxy proxy;

  @Override
  int startProxy(EchoUpstream upstream) throws Exception {
    source.setRoute("weft.test.proxy.Echo", "echo");
    source.setService("echo", List.of(upstream.instance()));
    scheduler = Executors.newSingleThreadScheduledExecutor();
    transport = ProxyTransport.create(1);
    pool = new MeshChannelPool(
        new MeshChannels(source, stats, MeshServiceConfig.defaults(),
            ProxyServerConfig.DEFAULT_MAX_MESSAGE_SIZE, transport::channelBuilder),
        MeshServiceConfig.defaults(), Map.of());
    proxy = OutboundProxy.frameRelayBuilder(source, pool, metrics, scheduler)
        .config(ProxyServerConfig.builder().transport(transport).build())
        .start();
    return proxy.port();
  }

  @Override
  void stopProxy() throws Exception {
    proxy.stop(Duration.ofSeconds(5));
    pool.close();
    transport.close();
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
  }
}
