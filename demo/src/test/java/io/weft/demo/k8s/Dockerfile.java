package io.weft.demo.k8s;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A module's {@code Dockerfile}, read as far as the tests need: the image its first line names
 * ({@code # image: weft/<name>}) and its instructions, with line continuations joined and comments
 * dropped.
 *
 * @param path the file
 * @param module the module folder it lives in
 * @param image the image its first line names
 * @param instructions the instructions, such as {@code FROM eclipse-temurin:17-jre}
 */
record Dockerfile(Path path, String module, String image, List<String> instructions) {

  private static final String IMAGE_LINE = "# image: ";

  Dockerfile {
    requireNonNull(path, "path");
    requireNonNull(module, "module");
    requireNonNull(image, "image");
    instructions = List.copyOf(instructions);
  }

  /** The Dockerfile of every module folder directly under {@code root} that has one. */
  static List<Dockerfile> all(Path root) {
    try (Stream<Path> folders = Files.list(root)) {
      return folders.map(folder -> folder.resolve("Dockerfile"))
          .filter(Files::isRegularFile)
          .sorted()
          .map(Dockerfile::read)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  /**
   * Reads {@code path}.
   *
   * @throws IllegalArgumentException if its first line is not {@code # image: <name>}
   */
  static Dockerfile read(Path path) {
    List<String> lines;
    try {
      lines = Files.readAllLines(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
    if (lines.isEmpty() || !lines.get(0).startsWith(IMAGE_LINE)) {
      throw new IllegalArgumentException(path + " line 1: "
          + (lines.isEmpty() ? "(empty)" : lines.get(0)) + " (expected: " + IMAGE_LINE + "<name>)");
    }
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
        continue;
      }
      boolean continued = trimmed.endsWith("\\");
      current.append(continued ? trimmed.substring(0, trimmed.length() - 1).strip() : trimmed);
      if (continued) {
        current.append(' ');
      } else {
        instructions.add(current.toString());
        current.setLength(0);
      }
    }
    return new Dockerfile(path, path.getParent().getFileName().toString(),
        lines.get(0).substring(IMAGE_LINE.length()).strip(), instructions);
  }

  /** The arguments of every instruction {@code keyword} ({@code FROM}, {@code USER}, ...). */
  List<String> arguments(String keyword) {
    String prefix = keyword.toUpperCase(Locale.ROOT) + " ";
    return instructions.stream()
        .filter(i -> i.toUpperCase(Locale.ROOT).startsWith(prefix))
        .map(i -> i.substring(prefix.length()).strip())
        .toList();
  }

  /** The instructions of the last stage: from its {@code FROM} on. */
  List<String> runtimeStage() {
    int last = -1;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).toUpperCase(Locale.ROOT).startsWith("FROM ")) {
        last = i;
      }
    }
    return last < 0 ? List.of() : instructions.subList(last, instructions.size());
  }
}
