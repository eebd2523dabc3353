package io.weft.common;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small HTTP server behind the control plane's and the sidecar's admin ports.
 *
 * <p>Routes are exact paths, or prefixes ending in {@code /} whose handler gets the rest of the
 * path. Only the methods a route allows are served (GET by default); others get 405 with an
 * {@code Allow} header, unknown paths 404, and a handler's failure 500 — all with a JSON body
 * {@code {"error": "..."}} naming what was wrong. Handlers run on the server's own small pool,
 * never on a gRPC thread.
 */
public final class AdminHttpServer implements AutoCloseable {

  private static final Logger logger = LoggerFactory.getLogger(AdminHttpServer.class);

  /** Serves one request. */
  @FunctionalInterface
  public interface Handler {
    /**
     * @param rest for a prefix route, the path after the prefix (URL-decoded); else empty
     * @param query the raw query string, or empty
     */
    AdminResponse handle(String rest, String query) throws Exception;
  }

  private record Route(Set<String> methods, Handler handler) {}

  private final Map<String, Route> exact = new LinkedHashMap<>();
  private final Map<String, Route> prefixes = new LinkedHashMap<>();
  /** The request threads of a server built without a count. */
  public static final int DEFAULT_THREADS = 2;

  private final String bindHost;
  private final int requestedPort;
  private final int threads;
  private HttpServer server;
  private ExecutorService executor;

  /**
   * @param bindHost the address to listen on, such as {@code 0.0.0.0}
   * @param port the port; 0 picks a free one ({@link #port()} tells which)
   */
  public AdminHttpServer(String bindHost, int port) {
    this(bindHost, port, DEFAULT_THREADS);
  }

  /**
   * A server with {@code threads} request threads, for routes whose handlers wait (such as a
   * drain that answers when it is done) and must not hold up the others.
   *
   * @param bindHost the address to listen on, such as {@code 0.0.0.0}
   * @param port the port; 0 picks a free one ({@link #port()} tells which)
   * @param threads how many requests are served at once, 1..64
   */
  public AdminHttpServer(String bindHost, int port, int threads) {
    this.bindHost = requireNonNull(bindHost, "bindHost");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: 1..64)");
    }
    this.requestedPort = port;
    this.threads = threads;
  }

  /** Serves GET requests for {@code path} (exact), or for everything under it if it ends in /. */
  public AdminHttpServer get(String path, Handler handler) {
    return route(path, Set.of("GET", "HEAD"), handler);
  }

  /** Serves {@code path} for the given methods. */
  public AdminHttpServer route(String path, Set<String> methods, Handler handler) {
    requireNonNull(path, "path");
    requireNonNull(handler, "handler");
    if (server != null) {
      throw new IllegalStateException("routes must be added before start()");
    }
    Route route = new Route(Set.copyOf(methods), handler);
    if (path.endsWith("/") && path.length() > 1) {
      prefixes.put(path, route);
    } else {
      exact.put(path, route);
    }
    return this;
  }

  /** Binds and starts serving. */
  public AdminHttpServer start() throws IOException {
    AtomicInteger created = new AtomicInteger();
    executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "admin-http-" + created.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server = HttpServer.create(new InetSocketAddress(bindHost, requestedPort), 64);
    server.setExecutor(executor);
    server.createContext("/", this::serve);
    server.start();
    return this;
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Stops serving at once. (JDK 17's {@code HttpServer.stop(n)} always waits the whole {@code n}
   * seconds; admin requests are short, so none is worth that wait.)
   */
  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdown();
      try {
        executor.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String query = exchange.getRequestURI().getRawQuery();
      AdminResponse response = dispatch(exchange.getRequestMethod(), path, query == null ? "" : query);
      byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", response.contentType());
      response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(response.status(), head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  private AdminResponse dispatch(String method, String path, String query) {
    Route route = exact.get(path);
    String rest = "";
    if (route == null) {
      for (Map.Entry<String, Route> prefix : prefixes.entrySet()) {
        if (path.startsWith(prefix.getKey()) && path.length() > prefix.getKey().length()) {
          route = prefix.getValue();
          rest = path.substring(prefix.getKey().length());
          break;
        }
      }
    }
    if (route == null) {
      return AdminResponse.error(404, "no such path: " + path);
    }
    if (!route.methods().contains(method)) {
      return AdminResponse.error(
              405, "method " + method + " not allowed on " + path + " (allowed: " + allowed(route) + ")")
          .withHeader("Allow", allowed(route));
    }
    try {
      return route.handler().handle(rest, query);
    } catch (Exception e) {
      logger.warn("admin request {} {} failed", method, path, e);
      return AdminResponse.error(500, "internal error serving " + path + ": " + e);
    }
  }

  private static String allowed(Route route) {
    return String.join(", ", route.methods().stream().sorted().toList());
  }
}
