package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The benchmark's sidecars run with the JVM options the sidecar's image runs with. */
class ServiceProcessTest {

  private static final Path SIDECAR_DOCKERFILE = Path.of("..", "sidecar", "Dockerfile");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

  /** The image caps the heap by the container's memory, the benchmark by a fixed size. */
  private static final String IMAGE_HEAP_CAP = "-XX:MaxRAMPercentage=75";
  private static final String BENCHMARK_HEAP_CAP = "-Xmx256m";

  @Test
  void sidecarJvm_isTheSidecarImagesEntrypointOptions_butForTheHeapCap() throws IOException {
    List<String> image = new ArrayList<>(entrypointJvmOptions());
    image.remove(IMAGE_HEAP_CAP);
    List<String> bench = new ArrayList<>(ServiceProcess.SIDECAR_JVM);
    bench.remove(BENCHMARK_HEAP_CAP);

    assertThat(bench).containsExactlyInAnyOrderElementsOf(image);
  }

  @Test
  void floorJvm_hasEveryOptionOfTheSidecars() {
    assertThat(ServiceProcess.FLOOR_JVM).containsAll(ServiceProcess.SIDECAR_JVM);
  }

  /** The options between {@code java} and {@code -jar} in the exec-form ENTRYPOINT. */
  private static List<String> entrypointJvmOptions() throws IOException {
    String entrypoint = Files.readAllLines(SIDECAR_DOCKERFILE).stream()
        .filter(line -> line.startsWith("ENTRYPOINT "))
        .reduce((first, second) -> second)
        .orElseThrow(() -> new AssertionError("no ENTRYPOINT in " + SIDECAR_DOCKERFILE));
    List<String> words = new ArrayList<>();
    Matcher quoted = QUOTED.matcher(entrypoint);
    while (quoted.find()) {
      words.add(quoted.group(1));
    }
    assertThat(words).as("ENTRYPOINT of %s", SIDECAR_DOCKERFILE).startsWith("java")
        .contains("-jar");
    return words.subList(1, words.indexOf("-jar"));
  }
}
