package io.weft.bench;

import io.weft.common.JavaProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * A control plane started as its own JVM from this jar, so that its heap and RSS are its own, and
 * read back through its admin port and /proc.
 */
final class ControlPlaneProcess implements AutoCloseable {

  private static final String MAIN = "io.weft.controlplane.ControlPlaneMain";
  private static final String LISTENING = "listening: grpc=[^ ]+:(\\d+) admin=[^ ]+:(\\d+)";

  private final JavaProcess process;
  private final int grpcPort;
  private final int adminPort;
  private final HttpClient http = HttpClient.newHttpClient();

  private ControlPlaneProcess(JavaProcess process, int grpcPort, int adminPort) {
    this.process = process;
    this.grpcPort = grpcPort;
    this.adminPort = adminPort;
  }

  /** Starts a control plane with the given heap cap and extra flags, on free loopback ports. */
  static ControlPlaneProcess start(String maxHeap, List<String> flags) {
    List<String> args = new ArrayList<>(
        List.of("--port", "0", "--admin-port", "0", "--bind-address", "127.0.0.1"));
    args.addAll(flags);
    JavaProcess process =
        JavaProcess.start("control-plane", List.of("-Xmx" + maxHeap, "-Xms64m"), MAIN, args);
    Matcher ports = process.awaitLine(LISTENING, Duration.ofSeconds(60));
    return new ControlPlaneProcess(
        process, Integer.parseInt(ports.group(1)), Integer.parseInt(ports.group(2)));
  }

  int grpcPort() {
    return grpcPort;
  }

  /** Resident set size of the process, in bytes, from /proc. */
  long residentBytes() throws IOException {
    return ServiceProcess.Rss.of(process.pid());
  }

  /** CPU time the control plane has used so far, in nanoseconds. */
  long cpuNanos() throws IOException {
    return ServiceProcess.CpuTime.nanosOf(process.pid());
  }

  /** Heap in use now, in bytes, from the control plane's own Prometheus metrics. */
  long heapUsedBytes() throws IOException, InterruptedException {
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    double sum = 0;
    for (String line : metrics.body().split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (long) sum;
  }

  /** Asks the control plane's JVM for a full GC (jcmd), so the next heap reading is the live set. */
  void collectGarbage() throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process gc =
        new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!gc.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      gc.destroyForcibly();
      throw new IOException("jcmd GC.run did not finish in 30 s");
    }
  }

  @Override
  public void close() {
    process.terminate();
    try {
      process.awaitExit(Duration.ofSeconds(30));
    } finally {
      process.close();
    }
  }
}
