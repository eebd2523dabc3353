package io.weft.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

/**
 * The forwarding contract through the inbound proxy on event loops it is given, as in a sidecar
 * with {@code --io-threads 1}: the proxy's caller connections and its connection to the app share
 * that one thread, and stopping the proxy leaves the loops to their owner.
 */
class SharedEventLoopForwardingTest extends ForwardingContractTest {

  private ProxyTransport transport;
  private InboundProxy proxy;

  @Override
  int startProxy(EchoUpstream upstream) throws Exception {
    transport = ProxyTransport.create(1);
    proxy = InboundProxy.builder(upstream.address(), metrics, "echo", "echo-1")
        .config(ProxyServerConfig.builder().transport(transport).build())
        .start();
    return proxy.port();
  }

  @Override
  void stopProxy() throws Exception {
    proxy.stop(Duration.ofSeconds(5));
    assertThat(transport.group().isShuttingDown()).isFalse();
    transport.close();
  }
}
