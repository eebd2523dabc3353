package io.weft.sidecar.proxy;

import java.time.Duration;

/** The forwarding contract through the inbound proxy. */
class InboundForwardingTest extends ForwardingContractTest {

  private InboundProxy proxy;

  @Override
  int startProxy(EchoUpstream upstream) throws Exception {
    proxy = InboundProxy.builder(upstream.address(), metrics, "echo", "echo-1").start();
    return proxy.port();
  }

  @Override
  void stopProxy() throws Exception {
    proxy.stop(Duration.ofSeconds(5));
  }
}
