package io.weft.e2e;

import static java.util.Objects.requireNonNull;

import io.weft.common.JavaProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A weft program (control plane or sidecar) in its own JVM, started with {@link
 * JavaProcess#TEST_JVM_OPTIONS}. Each output line is echoed to the test log with the prefix
 * {@code [name]} and kept with the {@link System#nanoTime()} at which the test saw it, so a test
 * can measure from an event the process logs.
 */
final class MeshProcess implements AutoCloseable {

  /** One output line and when the test JVM read it. */
  record Line(long nanos, String text) {}

  private final List<Line> lines;
  private final JavaProcess process;

  private MeshProcess(List<Line> lines, JavaProcess process) {
    this.lines = lines;
    this.process = process;
  }

  /** Starts {@code mainClass} with {@code args}; returns at once (see {@link #awaitLine}). */
  static MeshProcess start(String name, Class<?> mainClass, List<String> args) {
    requireNonNull(name, "name");
    List<Line> lines = new CopyOnWriteArrayList<>();
    JavaProcess process = JavaProcess.start(name, JavaProcess.TEST_JVM_OPTIONS,
        mainClass.getName(), args, Map.of(), text -> {
          lines.add(new Line(System.nanoTime(), text));
          System.out.println("[" + name + "] " + text);
        });
    return new MeshProcess(lines, process);
  }

  /** Waits for a line matching {@code regex}; fails if the process exits first or time is up. */
  Matcher awaitLine(String regex, Duration bound) {
    return process.awaitLine(regex, bound);
  }

  /** Every line so far, in order, with the time it was read. */
  List<Line> lines() {
    return List.copyOf(lines);
  }

  /** When the first line matching {@code regex} was read, if one was. */
  Optional<Long> firstLineNanos(String regex) {
    Pattern pattern = Pattern.compile(regex);
    return lines.stream()
        .filter(line -> pattern.matcher(line.text()).find())
        .map(Line::nanos)
        .findFirst();
  }

  /** Sends SIGTERM. */
  void terminate() {
    process.terminate();
  }

  /** Waits for the exit and returns the exit code; fails if the bound passes. */
  int awaitExit(Duration bound) {
    return process.awaitExit(bound);
  }

  /** SIGKILL, if still running, and waits for the exit. */
  @Override
  public void close() {
    process.close();
  }
}
