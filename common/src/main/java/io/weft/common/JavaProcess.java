package io.weft.common;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM started from a main class on this JVM's class path (or another one): the demo
 * launcher's processes, the benchmarks' and the end-to-end tests'.
 *
 * <p>Its standard output and error are merged, kept line by line and handed to an output sink
 * (by default echoed to this process's stdout with a prefix), so a caller can wait for a line
 * ({@link #awaitLine}) instead of sleeping. {@link #terminate} sends SIGTERM, as Kubernetes does;
 * {@link #close} kills whatever is still running.
 */
public final class JavaProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Consumer<String> output;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Object lineSignal = new Object();
  private final Thread reader;

  private JavaProcess(String name, Process process, Consumer<String> output) {
    this.name = name;
    this.process = process;
    this.output = output;
    this.reader = new Thread(this::pump, "output-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** JVM options for short-lived test processes: small, quick to start. */
  public static final List<String> TEST_JVM_OPTIONS =
      List.of("-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  /**
   * Starts {@code mainClass} with {@code args} in a new JVM that has this JVM's class path and
   * {@link #TEST_JVM_OPTIONS}.
   *
   * @param name a short name for log prefixes, such as {@code sidecar-greeter-1}
   */
  public static JavaProcess start(String name, String mainClass, List<String> args) {
    return start(name, mainClass, args, Map.of());
  }

  /**
   * Starts {@code mainClass} like {@link #start(String, String, List)}, with {@code environment}
   * added to (or replacing variables of) this JVM's environment.
   */
  public static JavaProcess start(
      String name, String mainClass, List<String> args, Map<String, String> environment) {
    return start(name, TEST_JVM_OPTIONS, mainClass, args, environment, echo(name));
  }

  /**
   * Starts {@code mainClass} with {@code args} in a new JVM with the given JVM options, echoing its
   * output to stdout prefixed with {@code [name]}.
   */
  public static JavaProcess start(
      String name, List<String> jvmOptions, String mainClass, List<String> args) {
    return start(name, jvmOptions, mainClass, args, Map.of(), echo(name));
  }

  /**
   * Starts {@code mainClass} with {@code args} in a new JVM with the given JVM options and extra
   * {@code environment}, handing each output line to {@code output}.
   */
  public static JavaProcess start(
      String name,
      List<String> jvmOptions,
      String mainClass,
      List<String> args,
      Map<String, String> environment,
      Consumer<String> output) {
    return launch(name, jvmOptions, System.getProperty("java.class.path"), mainClass, args,
        environment, output);
  }

  /**
   * Starts {@code mainClass} from {@code classPath} instead of this JVM's class path (another
   * build of a program, say), with the given JVM options, echoing its output like {@link
   * #start(String, List, String, List)}.
   */
  public static JavaProcess startFrom(
      String name, String classPath, List<String> jvmOptions, String mainClass, List<String> args) {
    return launch(name, jvmOptions, classPath, mainClass, args, Map.of(), echo(name));
  }

  private static JavaProcess launch(
      String name,
      List<String> jvmOptions,
      String classPath,
      String mainClass,
      List<String> args,
      Map<String, String> environment,
      Consumer<String> output) {
    requireNonNull(name, "name");
    requireNonNull(classPath, "classPath");
    requireNonNull(environment, "environment");
    requireNonNull(output, "output");
    requireNonNull(mainClass, "mainClass");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(args);
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(environment);
      return new JavaProcess(name, builder.start(), output);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + name + ": " + command, e);
    }
  }

  /**
   * Waits until the process prints a line matching {@code regex} and returns the match, so a test
   * can read a group such as a port. Fails if the process exits first or the bound passes.
   */
  public Matcher awaitLine(String regex, Duration bound) {
    Pattern pattern = Pattern.compile(regex);
    long deadline = System.nanoTime() + bound.toNanos();
    int checked = 0;
    synchronized (lineSignal) {
      while (true) {
        for (; checked < lines.size(); checked++) {
          Matcher matcher = pattern.matcher(lines.get(checked));
          if (matcher.find()) {
            return matcher;
          }
        }
        long left = deadline - System.nanoTime();
        if (!process.isAlive() && !reader.isAlive() && checked == lines.size()) {
          throw new IllegalStateException(
              name + " exited with " + process.exitValue() + " before printing /" + regex + "/:\n"
                  + String.join("\n", lines));
        }
        if (left <= 0) {
          throw new IllegalStateException(
              name + " did not print /" + regex + "/ within " + bound + ":\n"
                  + String.join("\n", lines));
        }
        try {
          lineSignal.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 100_000_000))));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted waiting for " + name, e);
        }
      }
    }
  }

  private static Consumer<String> echo(String name) {
    return line -> System.out.println("[" + name + "] " + line);
  }

  /** Every line printed so far. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /**
   * Sends SIGTERM. The output keeps being read, so a test sees what the process prints while it
   * shuts down ({@link Process#destroy} would close the pipe first).
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** Waits for the process to exit and returns its exit code; fails if the bound passes. */
  public int awaitExit(Duration bound) {
    try {
      if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(name + " still running after " + bound + ":\n" + String.join("\n", lines));
      }
      reader.join(bound.toMillis());
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + name, e);
    }
  }

  /** Whether the process is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The operating-system process id. */
  public long pid() {
    return process.pid();
  }

  /** Kills the process (SIGKILL) if it is still running, and waits for it. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void pump() {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        output.accept(line);
        lines.add(line);
        synchronized (lineSignal) {
          lineSignal.notifyAll();
        }
      }
    } catch (IOException e) {
      lines.add("(output closed: " + e.getMessage() + ")");
    } finally {
      synchronized (lineSignal) {
        lineSignal.notifyAll();
      }
    }
  }
}
