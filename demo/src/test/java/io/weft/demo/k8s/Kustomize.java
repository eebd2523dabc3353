package io.weft.demo.k8s;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does, for the features weft's {@code
 * k8s/} uses and nothing more: {@code resources} (files, and folders holding a {@code
 * kustomization.yaml}, recursively), {@code namespace}, {@code labels} (without selectors) and
 * {@code images} ({@code newName}, {@code newTag}). Any other field fails, naming it, so that a
 * kustomization that grows past this renderer is not rendered wrong in silence.
 *
 * <p>Objects are YAML trees: maps, lists and scalars, as SnakeYAML reads them (duplicate keys
 * fail, as they do in kustomize).
 */
final class Kustomize {

  /** The kustomization fields this renderer understands. */
  static final Set<String> SUPPORTED_FIELDS =
      Set.of("apiVersion", "kind", "resources", "namespace", "labels", "images");

  private static final Set<String> LABEL_FIELDS =
      Set.of("pairs", "includeSelectors", "includeTemplates");
  private static final Set<String> IMAGE_FIELDS = Set.of("name", "newName", "newTag");

  /** Kinds without a namespace that a kustomization may hold (kustomize leaves them alone). */
  private static final Set<String> CLUSTER_SCOPED = Set.of(
      "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
      "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass",
      "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration");

  private Kustomize() {}

  /** Renders the kustomization in {@code dir}: every object, each a fresh YAML tree. */
  static List<Map<String, Object>> render(Path dir) {
    requireNonNull(dir, "dir");
    Path file = dir.resolve("kustomization.yaml");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("kustomization: " + file + " (expected: a file)");
    }
    List<Object> documents = readYaml(file);
    if (documents.size() != 1 || !(documents.get(0) instanceof Map)) {
      throw new IllegalArgumentException(
          "kustomization: " + file + " (expected: one YAML mapping)");
    }
    Map<String, Object> kustomization = asMap(documents.get(0), file.toString());
    for (String field : kustomization.keySet()) {
      if (!SUPPORTED_FIELDS.contains(field)) {
        throw new IllegalArgumentException("kustomization field: " + field + " in " + file
            + " (expected one of " + SUPPORTED_FIELDS + ")");
      }
    }
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object resource : asList(kustomization.get("resources"), file + ": resources")) {
      objects.addAll(resource(dir, String.valueOf(resource)));
    }
    Object namespace = kustomization.get("namespace");
    if (namespace != null) {
      objects.forEach(object -> setNamespace(object, String.valueOf(namespace)));
    }
    for (Object labels : asList(kustomization.get("labels"), file + ": labels")) {
      addLabels(objects, asMap(labels, file + ": labels[]"));
    }
    for (Object image : asList(kustomization.get("images"), file + ": images")) {
      Map<String, Object> rule = asMap(image, file + ": images[]");
      checkFields(rule, IMAGE_FIELDS, file + ": images[]");
      objects.forEach(object -> replaceImages(object, rule));
    }
    return objects;
  }

  /** Reads every YAML document of {@code file}; duplicate keys fail. */
  static List<Object> readYaml(Path file) {
    try {
      return readYaml(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Reads every YAML document of {@code text}, skipping empty ones; duplicate keys fail. */
  static List<Object> readYaml(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    List<Object> documents = new ArrayList<>();
    for (Object document : new Yaml(new SafeConstructor(options)).loadAll(text)) {
      if (document != null) {
        documents.add(document);
      }
    }
    return documents;
  }

  private static List<Map<String, Object>> resource(Path dir, String name) {
    Path path = dir.resolve(name).normalize();
    if (Files.isDirectory(path)) {
      return render(path);
    }
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          "resource: " + name + " in " + dir + " (expected: a file or a kustomization folder)");
    }
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object document : readYaml(path)) {
      objects.add(asMap(document, path.toString()));
    }
    return objects;
  }

  private static void setNamespace(Map<String, Object> object, String namespace) {
    Map<String, Object> metadata = child(object, "metadata");
    if ("Namespace".equals(object.get("kind"))) {
      metadata.put("name", namespace);
    } else if (!CLUSTER_SCOPED.contains(String.valueOf(object.get("kind")))) {
      metadata.put("namespace", namespace);
    }
  }

  private static void addLabels(List<Map<String, Object>> objects, Map<String, Object> labels) {
    checkFields(labels, LABEL_FIELDS, "labels[]");
    if (Boolean.TRUE.equals(labels.get("includeSelectors"))) {
      throw new IllegalArgumentException(
          "labels[].includeSelectors: true (expected: false; selectors are not supported)");
    }
    Map<String, Object> pairs = asMap(labels.get("pairs"), "labels[].pairs");
    boolean templates = Boolean.TRUE.equals(labels.get("includeTemplates"));
    for (Map<String, Object> object : objects) {
      child(child(object, "metadata"), "labels").putAll(pairs);
      Object spec = object.get("spec");
      if (templates && spec instanceof Map<?, ?> specMap && specMap.get("template") != null) {
        Map<String, Object> template = asMap(specMap.get("template"), "spec.template");
        child(child(template, "metadata"), "labels").putAll(pairs);
      }
    }
  }

  /** Replaces the images named by {@code rule} in every container list under {@code node}. */
  private static void replaceImages(Object node, Map<String, Object> rule) {
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        boolean containers =
            "containers".equals(entry.getKey()) || "initContainers".equals(entry.getKey());
        if (containers && entry.getValue() instanceof List<?> list) {
          list.forEach(container -> replaceImage(asMap(container, "container"), rule));
        } else {
          replaceImages(entry.getValue(), rule);
        }
      }
    } else if (node instanceof List<?> list) {
      list.forEach(item -> replaceImages(item, rule));
    }
  }

  private static void replaceImage(Map<String, Object> container, Map<String, Object> rule) {
    Object image = container.get("image");
    if (image == null) {
      return;
    }
    ImageReference reference = ImageReference.parse(String.valueOf(image));
    if (!reference.name().equals(rule.get("name"))) {
      return;
    }
    String name = rule.get("newName") != null ? String.valueOf(rule.get("newName"))
        : reference.name();
    if (rule.get("newTag") != null) {
      container.put("image", name + ":" + rule.get("newTag"));
    } else {
      container.put("image", name + reference.tagOrDigest());
    }
  }

  private static void checkFields(Map<String, Object> map, Set<String> allowed, String where) {
    for (String field : map.keySet()) {
      if (!allowed.contains(field)) {
        throw new IllegalArgumentException(
            where + "." + field + ": unsupported (expected one of " + allowed + ")");
      }
    }
  }

  /** The map under {@code key}, created empty when absent. */
  private static Map<String, Object> child(Map<String, Object> map, String key) {
    Object value = map.get(key);
    if (value == null) {
      Map<String, Object> created = new LinkedHashMap<>();
      map.put(key, created);
      return created;
    }
    return asMap(value, key);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asMap(Object value, String where) {
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException(where + ": " + value + " (expected: a mapping)");
    }
    return (Map<String, Object>) value;
  }

  private static List<?> asList(Object value, String where) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException(where + ": " + value + " (expected: a list)");
    }
    return list;
  }
}
