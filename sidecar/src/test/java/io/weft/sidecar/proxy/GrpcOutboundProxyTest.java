package io.weft.sidecar.proxy;

/** The outbound proxy's routing and metrics when it forwards through grpc-java calls. */
class GrpcOutboundProxyTest extends OutboundProxyTest {

  @Override
  OutboundProxy.Builder proxyBuilder(ProxyMetrics metrics) {
    UpstreamChannels channels =
        service ->
            switch (service) {
              case "echo" -> echo.pickingChannel();
              case "greeter" -> greeter.pickingChannel();
              default -> throw new IllegalArgumentException("unknown mesh service " + service);
            };
    return OutboundProxy.builder(source, channels, metrics, scheduler);
  }
}
