package io.weft.demo.k8s;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * A container of a rendered Deployment's pod template, as a test parameter named {@code
 * deployment/container}.
 *
 * @param deployment the Deployment
 * @param container the container
 */
record PodContainer(Deployment deployment, Container container) {

  PodContainer {
    requireNonNull(deployment, "deployment");
    requireNonNull(container, "container");
  }

  /** Every container of every rendered Deployment. */
  static Stream<PodContainer> all() {
    return Manifests.deployments().stream().flatMap(deployment ->
        deployment.getSpec().getTemplate().getSpec().getContainers().stream()
            .map(container -> new PodContainer(deployment, container)));
  }

  /** Every container running one of weft's images. */
  static Stream<PodContainer> weft() {
    return all().filter(c -> ComponentCli.isWeftImage(c.container().getImage()));
  }

  /** The other containers of the same pod, this one included. */
  List<Container> pod() {
    return deployment.getSpec().getTemplate().getSpec().getContainers();
  }

  /** The real command line of this container. */
  ComponentCli cli() {
    return Manifests.cli(deployment, container);
  }

  /**
   * The port number {@code port} names for this container: a number as it is, a name through
   * this container's own {@code ports} (as the kubelet resolves probe and hook ports); empty for
   * a name the container does not declare.
   */
  OptionalInt resolve(IntOrString port) {
    if (port.getIntVal() != null) {
      return OptionalInt.of(port.getIntVal());
    }
    return container.getPorts().stream()
        .filter(p -> port.getStrVal().equals(p.getName()))
        .mapToInt(ContainerPort::getContainerPort)
        .findFirst();
  }

  @Override
  public String toString() {
    return deployment.getMetadata().getName() + "/" + container.getName();
  }
}
