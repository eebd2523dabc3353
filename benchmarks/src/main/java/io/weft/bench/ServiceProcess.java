package io.weft.bench;

import io.weft.common.JavaProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.stream.Stream;

/**
 * A benchmark participant in its own JVM (greeter, sidecar), started from this jar (or another
 * build's) with server JVM settings, whose port is read from the line it prints when ready.
 */
final class ServiceProcess implements AutoCloseable {

  /** JVM options of the greeter: an ordinary server JVM. */
  static final List<String> SERVER_JVM = List.of("-Xms64m", "-Xmx256m");

  /** JVM options of a sidecar, as in sidecar/Dockerfile: a small, low-footprint JVM. */
  static final List<String> SIDECAR_JVM = List.of("-XX:+UseSerialGC",
      "-XX:+UseTransparentHugePages", "-Xms16m", "-Xmx256m", "-Xss512k");

  /**
   * JVM options of the benchmark's relay floors: a sidecar's, with Netty's buffer leak detection
   * off as {@code SidecarMain} turns it off, so that floors and sidecar compare like for like.
   */
  static final List<String> FLOOR_JVM = Stream.concat(SIDECAR_JVM.stream(),
      Stream.of("-Dio.grpc.netty.shaded.io.netty.leakDetection.level=disabled")).toList();

  private final JavaProcess process;
  private final Matcher ready;

  private ServiceProcess(JavaProcess process, Matcher ready) {
    this.process = process;
    this.ready = ready;
  }

  /** Starts {@code mainClass} and waits for the line matching {@code readyRegex}. */
  static ServiceProcess start(String name, List<String> jvm, String mainClass, List<String> args,
      String readyRegex) {
    return ready(JavaProcess.start(name, jvm, mainClass, args), readyRegex);
  }

  /** Starts {@code mainClass} from {@code classPath} instead of this jar, then waits the same way. */
  static ServiceProcess startFrom(String name, Path classPath, List<String> jvm, String mainClass,
      List<String> args, String readyRegex) {
    return ready(JavaProcess.startFrom(name, classPath.toString(), jvm, mainClass, args),
        readyRegex);
  }

  private static ServiceProcess ready(JavaProcess process, String readyRegex) {
    return new ServiceProcess(process, process.awaitLine(readyRegex, Duration.ofSeconds(60)));
  }

  /** A group of the ready line's match, such as a port. */
  int port(int group) {
    return Integer.parseInt(ready.group(group));
  }

  /** Resident set size now, in bytes, from /proc. */
  long residentBytes() throws IOException {
    return Rss.of(process.pid());
  }

  @Override
  public void close() {
    process.terminate();
    try {
      process.awaitExit(Duration.ofSeconds(60));
    } finally {
      process.close();
    }
  }

  /** Reads VmRSS from /proc. */
  static final class Rss {
    private Rss() {}

    static long of(long pid) throws IOException {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
      throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }
  }

  /** CPU time a process has used, user and system, from {@code /proc/<pid>/stat}. */
  static final class CpuTime {
    /** Linux reports it in clock ticks of 1/100 s on every platform Java runs on here. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private CpuTime() {}

    static long nanosOf(long pid) throws IOException {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name, which is in parentheses and may hold spaces.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long userTicks = Long.parseLong(fields[11]);
      long systemTicks = Long.parseLong(fields[12]);
      return (userTicks + systemTicks) * NANOS_PER_TICK;
    }
  }
}
