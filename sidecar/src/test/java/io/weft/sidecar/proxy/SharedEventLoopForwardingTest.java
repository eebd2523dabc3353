package io.weft.sidecar.proxy;

import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The forwarding contract through the inbound proxy when the proxy's server and its channel to the
 * app share one event-loop thread, as in a sidecar with {@code --io-threads 1}: nothing on the
 * forwarding path may block that thread, or every call here would hang.
 */
class SharedEventLoopForwardingTest extends ForwardingContractTest {

  private ProxyTransport transport;
  private ManagedChannel appChannel;
  private InboundProxy proxy;

  @Override
  int startProxy(EchoUpstream upstream) throws Exception {
    transport = ProxyTransport.create(1);
    appChannel = transport.channelBuilder("127.0.0.1:" + upstream.port())
        .maxInboundMessageSize(EchoUpstream.LARGE_LIMIT)
        .build();
    proxy = InboundProxy.builder(appChannel, metrics, "echo", "echo-1")
        .config(ProxyServerConfig.builder().transport(transport).build())
        .start();
    return proxy.port();
  }

  @Override
  void stopProxy() throws Exception {
    proxy.stop(Duration.ofSeconds(5));
    appChannel.shutdownNow();
    appChannel.awaitTermination(10, TimeUnit.SECONDS);
    transport.close();
  }
}
