package io.weft.demo.mesh;

import io.weft.common.JavaProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;

/**
 * One process of the demo mesh (control plane, greeter, sidecar or client), started in its own
 * JVM from the demo jar, its output written to its own log file.
 */
final class Participant implements AutoCloseable {

  private static final List<String> JVM =
      List.of("-Xss512k", "-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  private static final Duration READY_BOUND = Duration.ofSeconds(60);

  private final String name;
  private final JavaProcess process;
  private final PrintWriter log;
  private final Matcher ready;

  private Participant(String name, JavaProcess process, PrintWriter log, Matcher ready) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.ready = ready;
  }

  /**
   * Starts {@code mainClass}, logs its output to {@code logDir/name.log} (and hands each line to
   * {@code alsoTo}, if given), and waits for the line matching {@code readyRegex}.
   */
  static Participant start(String name, String mainClass, List<String> args, String readyRegex,
      Path logDir, Consumer<String> alsoTo) throws IOException {
    PrintWriter log = new PrintWriter(
        Files.newBufferedWriter(logDir.resolve(name + ".log"), StandardCharsets.UTF_8), true);
    Consumer<String> output = alsoTo == null ? log::println : line -> {
      log.println(line);
      alsoTo.accept(line);
    };
    JavaProcess process = JavaProcess.start(name, JVM, mainClass, args, java.util.Map.of(), output);
    try {
      return new Participant(name, process, log, process.awaitLine(readyRegex, READY_BOUND));
    } catch (RuntimeException e) {
      process.close();
      log.close();
      throw new IllegalStateException(
          name + " did not start; see " + logDir.resolve(name + ".log"), e);
    }
  }

  String name() {
    return name;
  }

  /** A group of the ready line's match, such as a port. */
  String ready(int group) {
    return ready.group(group);
  }

  /** Kills the process at once (SIGKILL), as a crash would. */
  void kill() {
    process.close();
  }

  /** Asks the process to stop (SIGTERM) and waits for it, killing it after the bound. */
  int stop(Duration bound) {
    process.terminate();
    try {
      return process.awaitExit(bound);
    } catch (IllegalStateException e) {
      process.close();
      return -1;
    } finally {
      log.close();
    }
  }

  @Override
  public void close() {
    process.close();
    log.close();
  }
}
