package io.weft.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * nginx as a gRPC reverse proxy ({@code grpc_pass}) in front of one upstream, in a private prefix
 * directory, tuned as nginx's own docs advise for gRPC: HTTP/2 on the listener, upstream
 * keepalive, and keepalive_requests raised far above the default 1,000 so a load run is not cut
 * short.
 */
final class NginxProcess implements AutoCloseable {

  private final Process process;
  private final int port;

  private NginxProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static NginxProcess start(int upstreamPort, int workers) throws IOException, InterruptedException {
    Path prefix = Files.createTempDirectory("weft-bench-nginx");
    Files.createDirectories(prefix.resolve("logs"));
    int port = freePort();
    String conf =
        String.join(
            "\n",
            "worker_processes " + workers + ";",
            "error_log " + prefix.resolve("logs/error.log") + " warn;",
            "pid " + prefix.resolve("nginx.pid") + ";",
            "events { worker_connections 4096; }",
            "http {",
            "  access_log off;",
            "  client_body_temp_path " + prefix.resolve("body") + ";",
            "  upstream greeter {",
            "    server 127.0.0.1:" + upstreamPort + ";",
            "    keepalive 64;",
            "    keepalive_requests 100000000;",
            "  }",
            "  server {",
            "    listen 127.0.0.1:" + port + " http2;",
            "    keepalive_requests 100000000;",
            "    location / { grpc_pass grpc://greeter; }",
            "  }",
            "}",
            "");
    Path confFile = prefix.resolve("nginx.conf");
    Files.writeString(confFile, conf);
    Process process =
        new ProcessBuilder("nginx", "-p", prefix.toString(), "-c", confFile.toString(), "-g",
                "daemon off;")
            .redirectErrorStream(true)
            .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!accepts(port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IOException("nginx did not start; see " + prefix.resolve("logs"));
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    return new NginxProcess(process, port);
  }

  int port() {
    return port;
  }

  /** Resident set size of nginx's master and workers together, in bytes. */
  long residentBytes() throws IOException {
    long total = ServiceProcess.Rss.of(process.pid());
    for (ProcessHandle child : process.children().toList()) {
      total += ServiceProcess.Rss.of(child.pid());
    }
    return total;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
