package io.weft.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.weft.demo.mesh.DemoMesh;
import io.weft.e2e.DemoOutput.Phase;
import io.weft.e2e.DemoOutput.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The demo as a person meets it: the launcher in failover mode (in this JVM through picocli, its
 * processes real), and {@code ./demo.sh --help} as a real process.
 */
class DemoTest {

  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Path DEMO_JAR = ROOT.resolve("demo/target/weft-demo.jar");
  private static final Pattern SOURCES = Pattern.compile(".*(\\.java|\\.proto|\\.xml)$");

  @TempDir Path logDir;

  @Test
  void failoverDemo_trafficLeavesTheKilledInstanceAndReturns_andNoProcessIsLeft() {
    DemoOutput output = new DemoOutput();

    int exitCode = new CommandLine(new DemoMesh(output.printStream())).execute(
        "--ephemeral-ports", "--mode", "failover", "--failover-after", "4s",
        "--duration", "30s", "--log-dir", logDir.toString());

    try {
      assertThat(exitCode).isZero();
      List<Table> tables = output.tables();
      assertThat(tables.stream().filter(table -> table.phase() == Phase.BEFORE_KILL)
          .flatMap(table -> table.lastSecond().entrySet().stream())
          .filter(entry -> entry.getValue() > 0).map(java.util.Map.Entry::getKey))
          .as("instances answering before the kill").contains("greeter-1", "greeter-2", "greeter-3");
      List<Table> afterKill = tables.stream()
          .filter(table -> table.phase() == Phase.AFTER_KILL).toList();
      // The first table after the kill may count calls greeter-2 answered before it.
      assertThat(afterKill).as("tables between the kill and the restart").hasSizeGreaterThan(1);
      assertThat(afterKill.subList(1, afterKill.size()))
          .allSatisfy(table -> assertThat(table.answeredBy("greeter-2")).as("%s", table).isZero());
      assertThat(tables).filteredOn(table -> table.phase() == Phase.AFTER_RESTART)
          .as("greeter-2 answering after the restart")
          .anySatisfy(table -> assertThat(table.answeredBy("greeter-2")).isPositive());
      assertThat(output.lines()).contains("weft demo: stopped")
          .noneMatch(line -> line.contains(" exited with "));
      assertThat(ProcessHandle.current().descendants().map(DemoTest::describe))
          .as("processes left running").isEmpty();
    } catch (AssertionError e) {
      printLogs();
      throw e;
    } finally {
      // After the check above has looked: a failed run must not leave the mesh to later tests.
      ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void demoScript_help_listsTheModesAndOptions() throws Exception {
    assumeTrue(Files.isRegularFile(DEMO_JAR) && !sourcesNewerThan(DEMO_JAR),
        "the demo jar is built and up to date (else ./demo.sh would build it; CI runs it after"
            + " the tests)");
    Path helpFile = logDir.resolve("help.txt");
    Process process = new ProcessBuilder("bash", "demo.sh", "--help")
        .directory(ROOT.toFile())
        .redirectErrorStream(true)
        .redirectOutput(helpFile.toFile())
        .start();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String help = Files.readString(helpFile, StandardCharsets.UTF_8);
      System.out.println("[demo.sh --help] " + help.replace("\n", "\n[demo.sh --help] "));
      assertThat(process.exitValue()).isZero();
      assertThat(help).contains("--mode", "--failover-after", "--duration", "--ephemeral-ports",
          "--client-zone", "--log-dir");
    } finally {
      process.destroyForcibly();
    }
  }

  /** Whether a file {@code demo.sh} checks (sources, protos, poms) is newer than {@code jar}. */
  private static boolean sourcesNewerThan(Path jar) throws IOException {
    FileTime built = Files.getLastModifiedTime(jar);
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files
          .map(ROOT::relativize)
          .filter(path -> !path.startsWith(".git") && !path.toString().contains("target/"))
          .filter(path -> SOURCES.matcher(path.getFileName().toString()).matches())
          .anyMatch(path -> lastModified(ROOT.resolve(path)).compareTo(built) > 0);
    }
  }

  private static FileTime lastModified(Path path) {
    try {
      return Files.getLastModifiedTime(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String describe(ProcessHandle process) {
    return process.pid() + " " + process.info().commandLine().orElse("?");
  }

  private void printLogs() {
    try (Stream<Path> logs = Files.list(logDir)) {
      for (Path log : logs.sorted().toList()) {
        String name = log.getFileName().toString();
        Files.readAllLines(log).forEach(line -> System.out.println("[demo " + name + "] " + line));
      }
    } catch (IOException e) {
      System.out.println("cannot read the demo's logs in " + logDir + ": " + e);
    }
  }
}
