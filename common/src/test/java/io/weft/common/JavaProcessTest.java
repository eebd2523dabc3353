package io.weft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JavaProcessTest {

  /** A tiny program the test starts in its own JVM. */
  public static final class Echo {
    public static void main(String[] args) throws Exception {
      if (args.length > 1 && args[1].equals("wait")) {
        Runtime.getRuntime()
            .addShutdownHook(new Thread(() -> System.out.println("shutting down")));
      }
      System.out.println("listening on port " + args[0]);
      if (System.getenv("ECHO_GREETING") != null) {
        System.out.println("greeting " + System.getenv("ECHO_GREETING"));
      }
      if (args.length > 1 && args[1].equals("wait")) {
        Thread.currentThread().join();
      }
    }
  }

  @Test
  void awaitLine_returnsTheMatchOfAPrintedLine() {
    try (JavaProcess process = JavaProcess.start("echo", Echo.class.getName(), List.of("4242"))) {
      String port = process.awaitLine("listening on port (\\d+)", Duration.ofSeconds(30)).group(1);

      assertThat(port).isEqualTo("4242");
      assertThat(process.awaitExit(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void start_withEnvironment_passesItsVariablesToTheProcess() {
    try (JavaProcess process =
        JavaProcess.start(
            "echo", Echo.class.getName(), List.of("1"), Map.of("ECHO_GREETING", "hello"))) {
      String greeting = process.awaitLine("greeting (\\w+)", Duration.ofSeconds(30)).group(1);

      assertThat(greeting).isEqualTo("hello");
      assertThat(process.awaitExit(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void startFrom_runsTheMainClassFromTheGivenClassPath() throws Exception {
    String testClasses =
        Path.of(Echo.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    try (JavaProcess process = JavaProcess.startFrom("echo", testClasses,
        JavaProcess.TEST_JVM_OPTIONS, Echo.class.getName(), List.of("77"))) {
      assertThat(process.awaitLine("listening on port (\\d+)", Duration.ofSeconds(30)).group(1))
          .isEqualTo("77");
    }
  }

  @Test
  void startFrom_aClassPathWithoutTheMainClass_failsThere() throws Exception {
    Path empty = Files.createTempDirectory("empty-class-path");
    try (JavaProcess process = JavaProcess.startFrom("echo", empty.toString(),
        JavaProcess.TEST_JVM_OPTIONS, Echo.class.getName(), List.of("77"))) {
      assertThatThrownBy(() -> process.awaitLine("listening", Duration.ofSeconds(30)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Could not find or load main class");
    } finally {
      Files.delete(empty);
    }
  }

  @Test
  void awaitLine_failsWhenTheProcessExitsWithoutPrintingIt() {
    try (JavaProcess process = JavaProcess.start("echo", Echo.class.getName(), List.of("1"))) {
      assertThatThrownBy(() -> process.awaitLine("never printed", Duration.ofSeconds(30)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("exited with 0");
    }
  }

  @Test
  void terminate_stopsAWaitingProcess() {
    try (JavaProcess process =
        JavaProcess.start("echo", Echo.class.getName(), List.of("1", "wait"))) {
      process.awaitLine("listening", Duration.ofSeconds(30));

      process.terminate();

      assertThat(process.awaitExit(Duration.ofSeconds(30))).isNotZero();
      assertThat(process.lines()).contains("shutting down");
      assertThat(process.isAlive()).isFalse();
    }
  }
}
