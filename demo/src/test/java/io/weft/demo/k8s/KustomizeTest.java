package io.weft.demo.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;

/** The Java rendering of a kustomization: each feature, its limits, and kubectl's agreement. */
class KustomizeTest {

  @TempDir Path dir;

  @Test
  void render_followsResourcesRecursively_andSetsTheNamespace() throws IOException {
    writeFixture();

    Map<String, Map<String, Object>> objects = byKey(Kustomize.render(dir));

    assertThat(objects).containsOnlyKeys("v1/Namespace//weft",
        "rbac.authorization.k8s.io/v1/ClusterRole//cr", "apps/v1/Deployment/weft/d");
  }

  @Test
  void render_addsLabelsToMetadata_andToTemplatesOnlyWhenAsked() throws IOException {
    writeFixture();

    Map<String, Map<String, Object>> objects = byKey(Kustomize.render(dir));

    Map<String, Object> deployment = objects.get("apps/v1/Deployment/weft/d");
    assertThat(at(deployment, "metadata", "labels")).isEqualTo(Map.of("a", "b", "keep", "me"));
    assertThat(at(deployment, "spec", "template", "metadata", "labels"))
        .isEqualTo(Map.of("a", "b", "q", "r"));
    assertThat(at(deployment, "spec", "selector", "matchLabels")).isEqualTo(Map.of("q", "r"));
    assertThat(at(objects.get("v1/Namespace//weft"), "metadata", "labels"))
        .isEqualTo(Map.of("a", "b"));
  }

  @Test
  void render_setsTheTagOfMatchingImagesOnly_inContainersAndInitContainers() throws IOException {
    writeFixture();

    Map<String, Object> deployment = byKey(Kustomize.render(dir)).get("apps/v1/Deployment/weft/d");

    Map<String, Object> podSpec = Kustomize.asMap(at(deployment, "spec", "template", "spec"), "");
    assertThat(images(podSpec.get("initContainers"))).containsExactly("x/y:2");
    assertThat(images(podSpec.get("containers")))
        .containsExactly("x/y:2", "x/yz", "docker.io/x/y", "reg:5000/x/y:2");
  }

  @Test
  void render_failsOnAKustomizationFieldItDoesNotSupport() throws IOException {
    write("kustomization.yaml", "resources: []\npatches:\n  - path: p.yaml\n");

    assertThatThrownBy(() -> Kustomize.render(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kustomization field: patches");
  }

  @Test
  void render_failsOnSelectorLabels_whichItDoesNotModel() throws IOException {
    write("kustomization.yaml", "labels:\n  - pairs: {a: b}\n    includeSelectors: true\n");

    assertThatThrownBy(() -> Kustomize.render(dir))
        .hasMessageContaining("labels[].includeSelectors: true");
  }

  @Test
  void render_failsOnAMissingResource() throws IOException {
    write("kustomization.yaml", "resources:\n  - gone.yaml\n");

    assertThatThrownBy(() -> Kustomize.render(dir)).hasMessageContaining("resource: gone.yaml");
  }

  @Test
  void render_failsOnADuplicateKey() throws IOException {
    write("kustomization.yaml", "resources:\n  - a.yaml\n");
    write("a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n");

    assertThatThrownBy(() -> Kustomize.render(dir)).isInstanceOf(DuplicateKeyException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "weft/sidecar, weft/sidecar, '', ''",
    "weft/sidecar:0.1.0, weft/sidecar, 0.1.0, ''",
    "reg:5000/weft/sidecar:1, reg:5000/weft/sidecar, 1, ''",
    "reg:5000/weft/sidecar, reg:5000/weft/sidecar, '', ''",
    "x/y:1@sha256:ab, x/y, 1, sha256:ab",
  })
  void imageReference_splitsNameTagAndDigest(
      String image, String name, String tag, String digest) {
    ImageReference reference = ImageReference.parse(image);

    assertThat(reference).isEqualTo(new ImageReference(name, tag, digest));
    assertThat(reference.name() + reference.tagOrDigest()).isEqualTo(image);
  }

  @Test
  void render_agreesWithKubectlKustomize_onTheFixture() throws Exception {
    writeFixture();

    assertAgreesWithKubectl(dir, "kubectl-kustomize-fixture.yaml");
  }

  @Test
  void render_agreesWithKubectlKustomize_onWeftManifests() throws Exception {
    assertAgreesWithKubectl(Manifests.KUSTOMIZATION, "kubectl-kustomize-k8s.yaml");
  }

  /**
   * The Java rendering of {@code kustomization} equals what {@code kubectl kustomize} printed for
   * it, as recorded in the test resource {@code recording}, always; and where kubectl is on the
   * PATH, the recording is what kubectl prints now (to record it again: {@code kubectl kustomize
   * <dir> > demo/src/test/resources/<recording>}).
   */
  private static void assertAgreesWithKubectl(Path kustomization, String recording)
      throws Exception {
    List<Map<String, Object>> recorded = readRendering(
        Files.readString(Manifests.ROOT.resolve("demo/src/test/resources").resolve(recording)),
        recording);

    assertThat(byKey(Kustomize.render(kustomization))).isEqualTo(byKey(recorded));

    Optional<Path> kubectl = onPath("kubectl");
    if (kubectl.isPresent()) {
      assertThat(byKey(kubectlKustomize(kubectl.get(), kustomization)))
          .as("kubectl's rendering, against the recording " + recording)
          .isEqualTo(byKey(recorded));
    }
  }

  private static List<Map<String, Object>> kubectlKustomize(Path kubectl, Path kustomization)
      throws Exception {
    Process process = new ProcessBuilder(kubectl.toString(), "kustomize", kustomization.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    try {
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
        try {
          return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize ended").isTrue();
      assertThat(process.exitValue()).as("kubectl kustomize exit code").isZero();
      return readRendering(out.get(10, TimeUnit.SECONDS), "kubectl output");
    } finally {
      process.destroyForcibly();
    }
  }

  private static List<Map<String, Object>> readRendering(String yaml, String what) {
    return Kustomize.readYaml(yaml).stream()
        .map(document -> Kustomize.asMap(document, what))
        .toList();
  }

  private void writeFixture() throws IOException {
    write("kustomization.yaml", """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        namespace: weft
        labels:
          - pairs:
              a: b
            includeSelectors: false
          - pairs:
              a: b
            includeTemplates: true
        resources:
          - ns.yaml
          - sub
        images:
          - name: x/y
            newTag: "2"
          - name: reg:5000/x/y
            newTag: "2"
        """);
    write("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n");
    write("sub/kustomization.yaml", "resources:\n  - d.yaml\n");
    write("sub/d.yaml", """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: d
          namespace: zzz
          labels: {keep: me}
        spec:
          selector:
            matchLabels: {q: r}
          template:
            metadata:
              labels: {q: r}
            spec:
              initContainers:
                - {name: i, image: "x/y:1"}
              containers:
                - {name: c, image: "x/y@sha256:abc"}
                - {name: e, image: x/yz}
                - {name: f, image: docker.io/x/y}
                - {name: g, image: "reg:5000/x/y"}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: cr
        """);
  }

  private void write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  /** Objects by {@code apiVersion/kind/namespace/name}. */
  private static Map<String, Map<String, Object>> byKey(List<Map<String, Object>> objects) {
    Map<String, Map<String, Object>> byKey = new LinkedHashMap<>();
    for (Map<String, Object> object : objects) {
      Map<String, Object> metadata = Kustomize.asMap(object.get("metadata"), "metadata");
      String key = object.get("apiVersion") + "/" + object.get("kind") + "/"
          + Optional.ofNullable(metadata.get("namespace")).orElse("") + "/" + metadata.get("name");
      assertThat(byKey.put(key, object)).as("objects named " + key).isNull();
    }
    return byKey;
  }

  private static Object at(Map<String, Object> tree, String... path) {
    Object node = tree;
    for (String key : path) {
      node = Kustomize.asMap(node, String.join(".", path)).get(key);
    }
    return node;
  }

  private static List<Object> images(Object containers) {
    return ((List<?>) containers).stream()
        .map(container -> Kustomize.asMap(container, "container").get("image"))
        .toList();
  }

  private static Optional<Path> onPath(String program) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    return Stream.of(path.split(File.pathSeparator))
        .filter(entry -> !entry.isEmpty())
        .map(entry -> Path.of(entry, program))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
