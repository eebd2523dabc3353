package io.weft.testing;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real JVM process started from a main class on this JVM's class path, for end-to-end tests.
 *
 * <p>Its standard output and error are merged, kept line by line and echoed with a prefix, so a
 * test can wait for a line ({@link #awaitLine}) instead of sleeping. {@link #terminate} sends
 * SIGTERM, as Kubernetes does; {@link #close} kills whatever is still running.
 */
public final class JavaProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Object lineSignal = new Object();
  private final Thread reader;

  private JavaProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.reader = new Thread(this::pump, "output-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code mainClass} with {@code args} in a new JVM that has this JVM's class path.
   *
   * @param name a short name for log prefixes, such as {@code sidecar-greeter-1}
   */
  public static JavaProcess start(String name, String mainClass, List<String> args) {
    return start(name, mainClass, args, Map.of());
  }

  /**
   * Starts {@code mainClass} with {@code args} in a new JVM that has this JVM's class path and
   * environment, plus {@code environment} (which wins over an inherited variable of the same
   * name), so a test can check what a program reads from its environment.
   *
   * @param name a short name for log prefixes, such as {@code sidecar-greeter-1}
   */
  public static JavaProcess start(
      String name, String mainClass, List<String> args, Map<String, String> environment) {
    requireNonNull(name, "name");
    requireNonNull(environment, "environment");
    requireNonNull(mainClass, "mainClass");
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xss512k");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().putAll(environment);
      Process process = builder.start();
      return new JavaProcess(name, process);
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
          throw new AssertionError(
              name + " exited with " + process.exitValue() + " before printing /" + regex + "/:\n"
                  + String.join("\n", lines));
        }
        if (left <= 0) {
          throw new AssertionError(
              name + " did not print /" + regex + "/ within " + bound + ":\n"
                  + String.join("\n", lines));
        }
        try {
          lineSignal.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 100_000_000))));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted waiting for " + name, e);
        }
      }
    }
  }

  /** Every line printed so far. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /**
   * Sends SIGTERM. The output goes on being read, so what the process prints while it stops is
   * kept ({@link Process#destroy()} would close the pipe and lose it).
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** Waits for the process to exit and returns its exit code; fails if the bound passes. */
  public int awaitExit(Duration bound) {
    try {
      if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " still running after " + bound + ":\n" + String.join("\n", lines));
      }
      reader.join(bound.toMillis());
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + name, e);
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
        System.out.println("[" + name + "] " + line);
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
