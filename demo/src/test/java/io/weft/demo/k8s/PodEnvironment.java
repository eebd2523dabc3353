package io.weft.demo.k8s;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet builds it, with plausible values for the downward API,
 * and the kubelet's {@code $(VAR)} expansion of {@code command}, {@code args} and env values: a
 * reference to a variable defined (earlier, for env values) is replaced, {@code $$} is a literal
 * {@code $}, and any other reference stays as it is, literally.
 */
final class PodEnvironment {

  /** The zone the pods of these tests are in, as their topology label says. */
  static final String ZONE = "zone-a";

  /** The pod IP of these tests. */
  static final String POD_IP = "10.244.1.17";

  private static final Pattern LABEL_OR_ANNOTATION =
      Pattern.compile("metadata\\.(labels|annotations)\\['([^']+)'\\]");

  /** The fieldPaths the API server accepts in an env var's {@code fieldRef}. */
  private static final Set<String> ENV_FIELD_PATHS = Set.of(
      "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
      "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP",
      "status.podIPs");

  private PodEnvironment() {}

  /**
   * The environment of {@code container} in pod {@code podName} of {@code namespace}: each
   * variable's value, literal (expanded) or from the downward API.
   *
   * @throws IllegalArgumentException for a fieldPath the API server rejects, or a source this
   *     class does not model (secrets, config maps, resources)
   */
  static Map<String, String> of(Container container, String podName, String namespace) {
    requireNonNull(podName, "podName");
    requireNonNull(namespace, "namespace");
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : variables(container)) {
      String where = "container " + container.getName() + " env " + var.getName();
      if (var.getValueFrom() == null) {
        env.put(var.getName(), expand(var.getValue() == null ? "" : var.getValue(), env));
      } else if (var.getValueFrom().getFieldRef() != null) {
        String path = var.getValueFrom().getFieldRef().getFieldPath();
        env.put(var.getName(), fieldValue(path, podName, namespace, where));
      } else {
        throw new IllegalArgumentException(where + ": valueFrom " + var.getValueFrom()
            + " (expected: a fieldRef; other sources are not modelled)");
      }
    }
    return env;
  }

  /** The env entries of {@code container}; none when its {@code env} is absent or null. */
  static List<EnvVar> variables(Container container) {
    return container.getEnv() == null ? List.of() : container.getEnv();
  }

  /** {@code text} with the references to variables of {@code env} expanded. */
  static String expand(String text, Map<String, String> env) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
      } else if (c == '$' && i + 1 < text.length() && text.charAt(i + 1) == '(') {
        int end = text.indexOf(')', i + 2);
        String name = end < 0 ? null : text.substring(i + 2, end);
        if (name != null && env.containsKey(name)) {
          out.append(env.get(name));
          i = end + 1;
        } else {
          out.append(c);
          i++;
        }
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** The variables {@code text} refers to with {@code $(NAME)} (not {@code $$(NAME)}). */
  static Set<String> references(String text) {
    Set<String> names = new LinkedHashSet<>();
    Matcher matcher = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)").matcher(text);
    while (matcher.find()) {
      if (matcher.group(1) != null) {
        names.add(matcher.group(1));
      }
    }
    return names;
  }

  private static String fieldValue(String path, String podName, String namespace, String where) {
    Matcher subscript = LABEL_OR_ANNOTATION.matcher(path);
    if (subscript.matches()) {
      return subscript.group(2).equals("topology.kubernetes.io/zone") ? ZONE : "value";
    }
    if (!ENV_FIELD_PATHS.contains(path)) {
      throw new IllegalArgumentException(where + ": fieldPath " + path
          + " (expected one of " + ENV_FIELD_PATHS + " or metadata.labels['key'])");
    }
    return switch (path) {
      case "metadata.name" -> podName;
      case "metadata.namespace" -> namespace;
      case "status.podIP", "status.podIPs" -> POD_IP;
      case "status.hostIP", "status.hostIPs" -> "10.0.0.4";
      default -> "value";
    };
  }
}
