package io.weft.demo.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * weft's {@code k8s/} manifests, rendered by {@link Kustomize} and read by {@link
 * StrictKubernetes}, once per test run.
 */
final class Manifests {

  /** The repository's root: the nearest folder up from the working directory with {@code k8s/}. */
  static final Path ROOT = findRoot();

  /** The kustomization the tests check. */
  static final Path KUSTOMIZATION = ROOT.resolve("k8s");

  private static final List<HasMetadata> OBJECTS =
      Kustomize.render(KUSTOMIZATION).stream().map(StrictKubernetes::parse).toList();

  private Manifests() {}

  /** Every rendered object, parsed. */
  static List<HasMetadata> objects() {
    return OBJECTS;
  }

  /** Every rendered Deployment. */
  static List<Deployment> deployments() {
    return ofType(Deployment.class);
  }

  /** Every rendered Service. */
  static List<Service> services() {
    return ofType(Service.class);
  }

  /** The rendered Deployment named {@code name}. */
  static Deployment deployment(String name) {
    return deployments().stream()
        .filter(d -> d.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("Deployment " + name));
  }

  /** The container named {@code name} of {@code deployment}'s pod template. */
  static Container container(Deployment deployment, String name) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException(
            "container " + name + " of Deployment " + deployment.getMetadata().getName()));
  }

  /** A plausible name of a pod of {@code deployment}. */
  static String podName(Deployment deployment) {
    return deployment.getMetadata().getName() + "-5d8c7b9f6d-x7k2p";
  }

  /** The environment of {@code container} in a pod of {@code deployment}. */
  static Map<String, String> environment(Deployment deployment, Container container) {
    return PodEnvironment.of(container, podName(deployment),
        deployment.getMetadata().getNamespace());
  }

  /** The real command line of {@code container} (one of weft's images) in {@code deployment}. */
  static ComponentCli cli(Deployment deployment, Container container) {
    return cli(deployment, container, Map.of());
  }

  /**
   * The real command line of {@code container} in {@code deployment}, with the flags of {@code
   * overrides} replaced (to run it on loopback, for instance).
   */
  static ComponentCli cli(
      Deployment deployment, Container container, Map<String, String> overrides) {
    Map<String, String> env = environment(deployment, container);
    List<String> args = container.getArgs().stream()
        .map(arg -> PodEnvironment.expand(arg, env))
        .toList();
    return ComponentCli.parse(container.getImage(), ComponentCli.override(args, overrides), env);
  }

  private static <T extends HasMetadata> List<T> ofType(Class<T> type) {
    return OBJECTS.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static Path findRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("k8s/kustomization.yaml"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "no k8s/kustomization.yaml above " + Path.of("").toAbsolutePath());
  }
}
