package io.weft.demo.k8s;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads YAML trees into the fabric8 Kubernetes model strictly, as the API server's strict field
 * validation would: an unknown or misspelled field fails naming it, and so does a scalar of the
 * wrong type ({@code replicas: "3"}).
 *
 * <p>fabric8's model classes collect unknown fields into {@code additionalProperties} through a
 * {@code @JsonAnySetter}; this reader's introspector disregards every any-setter, so Jackson's
 * {@code FAIL_ON_UNKNOWN_PROPERTIES} applies to them. The class of an object comes from its
 * {@code apiVersion} and {@code kind}, among the model classes on the class path.
 */
final class StrictKubernetes {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .annotationIntrospector(new NoAnySetterIntrospector())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .build();

  /** {@code apiVersion + "/" + kind} to its model class, for every kind fabric8 registers. */
  private static final Map<String, Class<? extends HasMetadata>> KINDS = kinds();

  private StrictKubernetes() {}

  /**
   * The model object {@code tree} describes.
   *
   * @throws IllegalArgumentException naming the object and the field (with its path) that is
   *     unknown or of the wrong type, or the apiVersion/kind that is unknown
   */
  static HasMetadata parse(Map<String, Object> tree) {
    requireNonNull(tree, "tree");
    String key = tree.get("apiVersion") + "/" + tree.get("kind");
    Class<? extends HasMetadata> type = KINDS.get(key);
    if (type == null) {
      throw new IllegalArgumentException(
          "apiVersion/kind: " + key + " (expected: a kind of the Kubernetes model)");
    }
    try {
      return MAPPER.convertValue(tree, type);
    } catch (IllegalArgumentException e) {
      String detail = e.getCause() instanceof JsonMappingException mapping
          ? mapping.getOriginalMessage() + " at " + path(mapping) : e.getMessage();
      throw new IllegalArgumentException(key + " " + name(tree) + ": " + detail, e);
    }
  }

  /** The field path of a mapping error, such as {@code spec.template.spec.containers[0].x}. */
  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(reference.getFieldName());
      } else {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String name(Map<String, Object> tree) {
    return tree.get("metadata") instanceof Map<?, ?> metadata
        ? String.valueOf(metadata.get("name")) : "(no metadata)";
  }

  private static Map<String, Class<? extends HasMetadata>> kinds() {
    return ServiceLoader.load(KubernetesResource.class).stream()
        .map(ServiceLoader.Provider::type)
        .filter(HasMetadata.class::isAssignableFrom)
        .map(type -> type.asSubclass(HasMetadata.class))
        .filter(type -> HasMetadata.getKind(type) != null)
        .collect(Collectors.toMap(
            type -> HasMetadata.getApiVersion(type) + "/" + HasMetadata.getKind(type),
            Function.identity(),
            (first, second) -> first));
  }

  /** Jackson's annotations, except that no {@code @JsonAnySetter} collects unknown fields. */
  private static final class NoAnySetterIntrospector extends JacksonAnnotationIntrospector {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean hasAnySetter(Annotated annotated) {
      return Boolean.FALSE;
    }
  }
}
