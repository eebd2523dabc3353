package io.weft.sidecar.proxy;

import io.weft.sidecar.balancer.ClusterStats;
import io.weft.sidecar.balancer.MeshServiceConfig;
import io.weft.sidecar.resolver.MeshChannels;
import java.util.Map;

/**
 * The outbound proxy's routing and metrics when it relays frames, picking with real mesh channels'
 * balancers.
 */
class FrameRelayOutboundProxyTest extends OutboundProxyTest {

  private MeshChannelPool pool;

  @Override
  OutboundProxy.Builder proxyBuilder(ProxyMetrics metrics) {
    pool = new MeshChannelPool(
        new MeshChannels(source, new ClusterStats(), MeshServiceConfig.defaults(),
            ProxyServerConfig.DEFAULT_MAX_MESSAGE_SIZE),
        MeshServiceConfig.defaults(), Map.of());
    return OutboundProxy.frameRelayBuilder(source, pool, metrics, scheduler);
  }

  @Override
  void closeUpstreams() {
    pool.close();
  }
}
