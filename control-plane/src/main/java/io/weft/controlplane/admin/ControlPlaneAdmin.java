package io.weft.controlplane.admin;

import static java.util.Objects.requireNonNull;

import io.weft.common.AdminHttpServer;
import io.weft.common.AdminResponse;
import io.weft.common.MeshNames;
import io.weft.common.PrometheusMetrics;
import io.weft.controlplane.discovery.DiscoveryServer;
import io.weft.controlplane.registry.Registry;
import io.weft.controlplane.registry.ServiceView;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * The control plane's admin HTTP server (default port 15014): {@code /healthz}, {@code /metrics}
 * (Prometheus text), and the JSON views {@code /v1/services}, {@code /v1/services/{name}}, {@code
 * /v1/sidecars} and {@code /v1/leases}. Unknown paths get 404, methods other than GET (and HEAD)
 * 405, and every error a JSON body {@code {"error": "..."}}.
 */
public final class ControlPlaneAdmin implements AutoCloseable {

  private static final String TEXT = "text/plain; charset=utf-8";

  private final AdminHttpServer server;
  private final Registry registry;
  private final DiscoveryServer discovery;
  private final BooleanSupplier serving;

  /**
   * @param bindHost the address to listen on
   * @param port the port; 0 picks a free one
   * @param metrics the registry {@code /metrics} scrapes
   * @param serving whether the control plane serves; {@code /healthz} answers 503 when it does not
   */
  public ControlPlaneAdmin(
      String bindHost,
      int port,
      Registry registry,
      DiscoveryServer discovery,
      PrometheusMetrics metrics,
      BooleanSupplier serving) {
    this.registry = requireNonNull(registry, "registry");
    this.discovery = requireNonNull(discovery, "discovery");
    this.serving = requireNonNull(serving, "serving");
    requireNonNull(metrics, "metrics");
    server =
        new AdminHttpServer(bindHost, port)
            .get("/healthz", (rest, query) -> health())
            .get("/metrics", metrics.handler())
            .get("/v1/services", (rest, query) -> services())
            .get("/v1/services/", (rest, query) -> service(rest))
            .get("/v1/sidecars", (rest, query) -> sidecars())
            .get("/v1/leases", (rest, query) -> leases());
  }

  /** Binds and starts serving. */
  public ControlPlaneAdmin start() throws IOException {
    server.start();
    return this;
  }

  /** The bound port. */
  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
  }

  private AdminResponse health() {
    return serving.getAsBoolean()
        ? AdminResponse.text(TEXT, "ok\n")
        : AdminResponse.error(503, "control plane is not serving: shutting down");
  }

  private AdminResponse services() {
    return AdminResponse.json(ServiceViews.list(registry.snapshot()));
  }

  private AdminResponse service(String name) {
    if (!MeshNames.isServiceName(name)) {
      return AdminResponse.error(
          400,
          "service name: "
              + MeshNames.quote(name)
              + " (expected: a DNS-1123 label, 1..63 characters of [a-z0-9-],"
              + " starting and ending with a letter or digit)");
    }
    ServiceView service = registry.snapshot().services().get(name);
    if (service == null) {
      return AdminResponse.error(404, "no such service: \"" + name + "\" has no instances");
    }
    return AdminResponse.json(ServiceViews.detail(service, registry.leases()));
  }

  private AdminResponse sidecars() {
    return AdminResponse.json(SidecarViews.list(discovery.status()));
  }

  private AdminResponse leases() {
    return AdminResponse.json(
        LeaseViews.list(registry.selfPreservationActive(), registry.leases()));
  }
}
