package io.weft.demo.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The images' Dockerfiles, statically: multi-stage, a JRE runtime stage, a non-root numeric user,
 * and the module's own jar (its {@code finalName}) copied and run.
 */
class DockerfileTest {

  private static final Pattern FINAL_NAME = Pattern.compile("<finalName>([^<]+)</finalName>");
  private static final Pattern COPY_FROM =
      Pattern.compile("--from=\\S+\\s+(\\S+)\\s+(\\S+)");

  @TempDir Path dir;

  static Stream<Arguments> dockerfiles() {
    return Dockerfile.all(Manifests.ROOT).stream()
        .map(d -> Arguments.of(Named.of(d.module() + "/Dockerfile", d)));
  }

  @Test
  void everyWeftImage_hasADockerfile() {
    assertThat(Dockerfile.all(Manifests.ROOT)).extracting(Dockerfile::image).containsExactlyInAnyOrderElementsOf(
        ComponentCli.IMAGES);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dockerfiles")
  void dockerfile_buildsTheModulesJar_intoANonRootJreImage(Dockerfile dockerfile)
      throws IOException {
    assertThat(problems(dockerfile, finalName(dockerfile.module()))).isEmpty();
  }

  @Test
  void problems_nameEachFlaw_ofAWrongDockerfile() throws IOException {
    Path file = dir.resolve("control-plane/Dockerfile");
    Files.createDirectories(file.getParent());
    Files.writeString(file, """
        # image: weft/control-plane
        FROM eclipse-temurin:17-jdk
        COPY control-plane/target/control-plane-0.1.0.jar /app/cp.jar
        ENTRYPOINT ["java", "-jar", "/app/control-plane.jar"]
        """);

    List<String> problems = problems(Dockerfile.read(file), "control-plane");

    assertThat(problems).anyMatch(p -> p.contains("FROM"))
        .anyMatch(p -> p.contains("runtime stage FROM eclipse-temurin:17-jdk"))
        .anyMatch(p -> p.contains("USER"))
        .anyMatch(p -> p.contains("COPY --from"))
        .anyMatch(p -> p.contains("ENTRYPOINT"));
  }

  /** What is wrong with {@code dockerfile} of a module whose jar is {@code finalName}.jar. */
  private static List<String> problems(Dockerfile dockerfile, String finalName) {
    List<String> problems = new ArrayList<>();
    String where = dockerfile.path().toString();
    List<String> froms = dockerfile.arguments("FROM");
    if (froms.size() < 2) {
      problems.add(where + ": " + froms.size() + " FROM (expected: a build and a runtime stage)");
    }
    List<String> runtime = dockerfile.runtimeStage();
    String base = runtime.isEmpty() ? "" : runtime.get(0).substring("FROM ".length()).strip();
    if (!base.split("\\s+")[0].contains("-jre")) {
      problems.add(where + ": runtime stage FROM " + base + " (expected: a JRE image)");
    }
    Dockerfile stage = new Dockerfile(dockerfile.path(), dockerfile.module(), dockerfile.image(),
        runtime);
    List<String> users = stage.arguments("USER");
    String user = users.isEmpty() ? "" : users.get(users.size() - 1).split(":")[0];
    if (!user.matches("[1-9][0-9]*")) {
      problems.add(where + ": runtime USER '" + user
          + "' (expected: a numeric non-root uid, so that runAsNonRoot can check it)");
    }
    String jar = dockerfile.module() + "/target/" + finalName + ".jar";
    String copied = stage.arguments("COPY").stream()
        .map(COPY_FROM::matcher)
        .filter(Matcher::find)
        .filter(m -> m.group(1).endsWith(jar))
        .map(m -> m.group(2))
        .findFirst()
        .orElse(null);
    if (copied == null) {
      problems.add(where + ": no COPY --from=<build> .../" + jar + " in the runtime stage");
    }
    List<String> entrypoints = stage.arguments("ENTRYPOINT");
    String entrypoint = entrypoints.isEmpty() ? "" : entrypoints.get(entrypoints.size() - 1);
    if (copied == null || !entrypoint.contains("\"-jar\", \"" + copied + "\"")) {
      problems.add(where + ": ENTRYPOINT " + entrypoint + " (expected: java -jar " + copied + ")");
    }
    if (!String.join("\n", dockerfile.instructions()).contains("-pl " + dockerfile.module())) {
      problems.add(where + ": the build stage does not build -pl " + dockerfile.module());
    }
    return problems;
  }

  private static String finalName(String module) throws IOException {
    Matcher matcher =
        FINAL_NAME.matcher(Files.readString(Manifests.ROOT.resolve(module).resolve("pom.xml")));
    assertThat(matcher.find()).as("%s/pom.xml finalName", module).isTrue();
    return matcher.group(1);
  }
}
