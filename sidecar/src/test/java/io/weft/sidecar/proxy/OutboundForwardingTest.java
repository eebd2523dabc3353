package io.weft.sidecar.proxy;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The forwarding contract through the outbound proxy, routed by the gRPC service name. */
class OutboundForwardingTest extends ForwardingContractTest {

  private final FakeEndpointSource source = new FakeEndpointSource();
  private ScheduledExecutorService scheduler;
  private OutboundProxy proxy;

  @Override
  int startProxy(EchoUpstream upstream) throws Exception {
    source.setRoute("weft.test.proxy.Echo", "echo");
    scheduler = Executors.newSingleThreadScheduledExecutor();
    proxy =
        OutboundProxy.builder(source, service -> upstream.pickingChannel(), metrics, scheduler)
            .start();
    return proxy.port();
  }

  @Override
  void stopProxy() throws Exception {
    proxy.stop(Duration.ofSeconds(5));
    scheduler.shutdownNow();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
  }
}
