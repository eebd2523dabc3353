package io.weft.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.weft.sidecar.proxy.ProxyMetrics.Direction;
import io.weft.testing.FakeClock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProxyMetricsTest {

  private final FakeClock clock = new FakeClock();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ProxyMetrics metrics = new ProxyMetrics(registry, clock.ticker());

  @Test
  void call_isCountedTimedAndInFlightUntilItEnds() {
    ProxyMetrics.Call call = metrics.start(Direction.OUTBOUND, "greeter", "none", metrics.now());
    assertThat(inFlight("outbound", "greeter")).isEqualTo(1);

    clock.forward(250, TimeUnit.MILLISECONDS);
    call.end(Status.Code.OK, "greeter-1");
    call.end(Status.Code.CANCELLED, "greeter-1");

    assertThat(inFlight("outbound", "greeter")).isZero();
    assertThat(
            registry
                .get("weft_proxy_requests_total")
                .tags("direction", "outbound", "service", "greeter", "instance", "greeter-1")
                .tag("code", "OK")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(registry.find("weft_proxy_requests_total").tag("code", "CANCELLED").counter())
        .isNull();
    var timer =
        registry
            .get("weft_proxy_request_duration_seconds")
            .tags("direction", "outbound", "service", "greeter", "instance", "greeter-1")
            .timer();
    assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250);
  }

  @Test
  void call_withoutAPick_isTaggedWithTheDefaultInstance() {
    metrics
        .start(Direction.INBOUND, "greeter", "greeter-3", metrics.now())
        .end(Status.Code.OK, null);

    assertThat(
            registry
                .get("weft_proxy_requests_total")
                .tags("direction", "inbound", "service", "greeter", "instance", "greeter-3")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void instances_beyondTheCap_areCountedAsOther() {
    for (int i = 0; i < ProxyMetrics.MAX_INSTANCES + 5; i++) {
      metrics
          .start(Direction.OUTBOUND, "greeter", "none", metrics.now())
          .end(Status.Code.OK, "greeter-" + i);
    }

    assertThat(registry.find("weft_proxy_requests_total").counters())
        .hasSize(ProxyMetrics.MAX_INSTANCES + 1);
    assertThat(registry.get("weft_proxy_requests_total").tag("instance", "other").counter().count())
        .isEqualTo(5);
  }

  @Test
  void prometheus_exposesTheDocumentedNames() {
    metrics.start(Direction.OUTBOUND, "greeter", "none", metrics.now()).end(Status.Code.OK, "g-1");

    String scrape = registry.scrape();

    assertThat(scrape)
        .contains("weft_proxy_requests_total{code=\"OK\",direction=\"outbound\"")
        .contains("weft_proxy_request_duration_seconds_bucket{")
        .contains("weft_proxy_in_flight{direction=\"outbound\",service=\"greeter\"}");
  }

  private double inFlight(String direction, String service) {
    return registry
        .get("weft_proxy_in_flight")
        .tags("direction", direction, "service", service)
        .gauge()
        .value();
  }
}
