package io.weft.common;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A Prometheus meter registry with the JVM's own metrics (memory, GC, threads, CPU, uptime)
 * bound, and the {@code /metrics} handler that scrapes it.
 */
public final class PrometheusMetrics implements AutoCloseable {

  private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  /** Creates the registry and binds the JVM metrics. */
  public PrometheusMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** The registry components record into. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The {@code /metrics} handler: Prometheus text exposition. */
  public AdminHttpServer.Handler handler() {
    return (rest, query) -> AdminResponse.text(TEXT_FORMAT, registry.scrape());
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
