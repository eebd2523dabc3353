package io.weft.sidecar.admin;

import static java.util.Objects.requireNonNull;

import io.weft.common.AdminHttpServer;
import io.weft.common.AdminResponse;
import io.weft.common.PrometheusMetrics;
import io.weft.sidecar.agent.AgentState;
import io.weft.sidecar.balancer.ClusterStats;
import io.weft.sidecar.discovery.DiscoveryClientDump;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The sidecar's admin HTTP server (port 15000):
 *
 * <ul>
 *   <li>{@code /ready}: 200 {@code {"ready": true, ...}} once ready (see {@link Readiness}), else
 *       503 with the reason;
 *   <li>{@code /healthz}: 200 {@code {"status": "ok"}} while the process runs (liveness);
 *   <li>{@code /metrics}: Prometheus text (proxy, discovery client and JVM metrics);
 *   <li>{@code /clusters}: every known mesh service and its endpoints ({@link ClustersView});
 *   <li>{@code /config_dump}: discovery state, agent state, effective config ({@link
 *       ConfigDumpView});
 *   <li>{@code /drain} (GET or POST): drains and answers when done ({@link DrainEndpoint}).
 * </ul>
 */
public final class SidecarAdminServer implements AutoCloseable {

  /** Request threads: two for long {@code /drain} waits, the rest for probes and scrapes. */
  static final int THREADS = 4;

  private final AdminHttpServer server;

  private SidecarAdminServer(AdminHttpServer server) {
    this.server = server;
  }

  /** Binds {@code host:port} (port 0 picks a free one) and serves {@code sources}. */
  public static SidecarAdminServer start(String host, int port, Sources sources)
      throws IOException {
    requireNonNull(sources, "sources");
    AdminHttpServer server =
        new AdminHttpServer(host, port, THREADS)
            .get("/ready", (rest, query) -> ready(sources.readiness().check()))
            .get("/healthz", (rest, query) -> AdminResponse.json(Map.of("status", "ok")))
            .get("/metrics", sources.metrics().handler())
            .get("/clusters", (rest, query) -> AdminResponse.json(
                ClustersView.of(sources.discovery().get(), sources.clusters().snapshot())))
            .get("/config_dump", (rest, query) -> AdminResponse.json(
                ConfigDumpView.of(
                    sources.discovery().get(), sources.agent().get(), sources.config().get())))
            .route("/drain", Set.of("GET", "POST"), sources.drain());
    return new SidecarAdminServer(server.start());
  }

  private static AdminResponse ready(Readiness.View view) {
    return AdminResponse.json(view.ready() ? 200 : 503, view);
  }

  /** The bound port. */
  public int port() {
    return server.port();
  }

  /** Stops serving. */
  @Override
  public void close() {
    server.close();
  }

  /**
   * What the admin server shows.
   *
   * @param metrics the Prometheus registry
   * @param readiness the readiness latch
   * @param discovery the discovery client's state
   * @param clusters the balancers' counters
   * @param agent the registration agent's state, empty for a pure client
   * @param config the effective configuration, as JSON
   * @param drain the {@code /drain} handler
   */
  public record Sources(
      PrometheusMetrics metrics,
      Readiness readiness,
      Supplier<DiscoveryClientDump> discovery,
      ClusterStats clusters,
      Supplier<Optional<AgentState>> agent,
      Supplier<Map<String, Object>> config,
      DrainEndpoint drain) {

    /** Checks that every part is set. */
    public Sources {
      requireNonNull(metrics, "metrics");
      requireNonNull(readiness, "readiness");
      requireNonNull(discovery, "discovery");
      requireNonNull(clusters, "clusters");
      requireNonNull(agent, "agent");
      requireNonNull(config, "config");
      requireNonNull(drain, "drain");
    }
  }
}
