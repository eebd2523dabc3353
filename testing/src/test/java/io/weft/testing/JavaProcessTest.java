package io.weft.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JavaProcessTest {

  /** A tiny program the test starts in its own JVM. */
  public static final class Echo {
    public static void main(String[] args) throws Exception {
      if (args.length > 1 && args[1].equals("wait")) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("stopping")));
      }
      System.out.println("listening on port " + args[0]);
      if (args.length > 1 && args[1].equals("env")) {
        System.out.println("WEFT_TEST_VALUE=" + System.getenv("WEFT_TEST_VALUE"));
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
  void awaitLine_failsWhenTheProcessExitsWithoutPrintingIt() {
    try (JavaProcess process = JavaProcess.start("echo", Echo.class.getName(), List.of("1"))) {
      assertThatThrownBy(() -> process.awaitLine("never printed", Duration.ofSeconds(30)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("exited with 0");
    }
  }

  @Test
  void start_withEnvironment_passesItToTheProcess() {
    try (JavaProcess process = JavaProcess.start("echo", Echo.class.getName(),
        List.of("1", "env"), Map.of("WEFT_TEST_VALUE", "from-the-test"))) {
      process.awaitLine("WEFT_TEST_VALUE=from-the-test", Duration.ofSeconds(30));

      assertThat(process.awaitExit(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void terminate_stopsAWaitingProcess_keepingWhatItPrintsWhileStopping() {
    try (JavaProcess process =
        JavaProcess.start("echo", Echo.class.getName(), List.of("1", "wait"))) {
      process.awaitLine("listening", Duration.ofSeconds(30));

      process.terminate();

      assertThat(process.awaitExit(Duration.ofSeconds(30))).isNotZero();
      assertThat(process.isAlive()).isFalse();
      assertThat(process.lines()).endsWith("stopping");
    }
  }
}
