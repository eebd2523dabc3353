package io.weft.bench;

import io.weft.demo.helloworld.HelloRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maximum unary throughput with h2load (nghttp2-client): SayHello as a 5-byte-prefixed gRPC frame
 * POSTed over many concurrent HTTP/2 streams for a fixed duration.
 */
final class H2Load {

  /** Requests per second, and how many requests completed and failed at the HTTP level. */
  record Result(double requestsPerSecond, long succeeded, long failed) {}

  private static final Pattern RATE = Pattern.compile("finished in [0-9.]+s, ([0-9.]+) req/s");
  private static final Pattern COUNTS =
      Pattern.compile("requests: \\d+ total, \\d+ started, \\d+ done, (\\d+) succeeded, (\\d+) failed");

  private H2Load() {}

  static Result run(int port, String authority, int connections, int streams, int seconds)
      throws IOException, InterruptedException {
    Path body = Files.createTempFile("weft-bench-hello", ".bin");
    String output;
    try {
      output = runWith(body, port, authority, connections, streams, seconds);
    } finally {
      Files.deleteIfExists(body);
    }
    Matcher rate = RATE.matcher(output);
    Matcher counts = COUNTS.matcher(output);
    if (!rate.find() || !counts.find()) {
      throw new IOException("cannot read h2load's output:\n" + output);
    }
    return new Result(Double.parseDouble(rate.group(1)),
        Long.parseLong(counts.group(1)), Long.parseLong(counts.group(2)));
  }

  /** Runs h2load with the request {@code body} (written here) and returns what it printed. */
  private static String runWith(Path body, int port, String authority, int connections,
      int streams, int seconds) throws IOException, InterruptedException {
    byte[] message = HelloRequest.newBuilder().setName("bench").build().toByteArray();
    ByteBuffer frame = ByteBuffer.allocate(5 + message.length);
    frame.put((byte) 0).putInt(message.length).put(message);
    Files.write(body, frame.array());
    List<String> command = new ArrayList<>(List.of(
        "h2load", "-t", "1", "-c", Integer.toString(connections), "-m", Integer.toString(streams),
        "-D", Integer.toString(seconds), "--warm-up-time", "2",
        "-d", body.toString(),
        "-H", "content-type: application/grpc", "-H", "te: trailers"));
    if (authority != null) {
      command.addAll(List.of("-H", ":authority: " + authority));
    }
    command.add("http://127.0.0.1:" + port + "/helloworld.Greeter/SayHello");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(seconds + 60L, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("h2load failed:\n" + output);
    }
    return output;
  }
}
