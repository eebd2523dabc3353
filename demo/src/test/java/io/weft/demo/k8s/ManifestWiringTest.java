package io.weft.demo.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.HostAndPort;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.weft.demo.k8s.ComponentCli.Component;
import io.weft.demo.k8s.ComponentCli.Listener;
import io.weft.sidecar.SidecarConfig;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The addresses the containers give each other: a sidecar's control plane is a Service of the
 * same namespace in front of the control plane's gRPC port; a greeter's sidecar reaches its app;
 * the client calls its own sidecar, naming a mesh service that a sidecar registers.
 */
class ManifestWiringTest {

  static Stream<PodContainer> sidecars() {
    return PodContainer.weft().filter(c -> c.cli().component() == Component.SIDECAR);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sidecars")
  void controlPlaneAddress_isAServiceOfThePodsNamespace_onTheControlPlanesGrpcPort(
      PodContainer c) {
    HostAndPort address = c.cli().sidecarConfig().controlPlane();
    String namespace = c.deployment().getMetadata().getNamespace();

    Service service = serviceNamed(address.getHost(), namespace).orElseThrow(() ->
        new AssertionError(c + ": --control-plane host " + address.getHost()
            + " names no Service that a pod of namespace " + namespace + " resolves"));
    ServicePort port = service.getSpec().getPorts().stream()
        .filter(p -> p.getPort() == address.getPort())
        .findFirst()
        .orElseThrow(() -> new AssertionError(c + ": Service " + service.getMetadata().getName()
            + " has no port " + address.getPort()));
    List<PodContainer> backends = PodContainer.weft()
        .filter(b -> b.deployment().getMetadata().getNamespace().equals(namespace))
        .filter(b -> b.deployment().getSpec().getTemplate().getMetadata().getLabels().entrySet()
            .containsAll(service.getSpec().getSelector().entrySet()))
        .toList();
    assertThat(backends).as("pods behind Service %s", service.getMetadata().getName())
        .isNotEmpty()
        .allSatisfy(backend -> {
          assertThat(backend.cli().component()).isEqualTo(Component.CONTROL_PLANE);
          assertThat(backend.resolve(port.getTargetPort()))
              .hasValue(backend.cli().controlPlaneConfig().grpcPort());
        });
  }

  @Test
  void greeterSidecar_reachesTheGreeterBesideIt() {
    Deployment greeter = Manifests.deployment("greeter");
    SidecarConfig sidecar = container(greeter, Component.SIDECAR).cli().sidecarConfig();
    Listener app = container(greeter, Component.GREETER_SERVER).cli().listeners().get(0);

    assertThat(sidecar.app()).as("the sidecar's local app").isNotNull();
    assertThat(sidecar.app().port()).isEqualTo(app.port());
    assertThat(Set.of("0.0.0.0", "::", sidecar.app().address())).contains(app.host());
  }

  @Test
  void client_callsItsOwnSidecar_namingAMeshServiceThatIsRegistered() {
    Deployment client = Manifests.deployment("greeter-client");
    PodContainer load = container(client, Component.GREETER_CLIENT);
    SidecarConfig sidecar = container(client, Component.SIDECAR).cli().sidecarConfig();
    HostAndPort target = HostAndPort.fromString(load.cli().value("--target"));
    List<String> registered = sidecars()
        .map(c -> c.cli().sidecarConfig())
        .filter(config -> config.app() != null)
        .map(SidecarConfig::service)
        .toList();

    assertThat(sidecar.app()).as("the client's sidecar registers nothing").isNull();
    assertThat(target.getHost()).isIn("localhost", "127.0.0.1");
    assertThat(target.getPort()).isEqualTo(sidecar.outboundPort());
    assertThat(Set.of("localhost", "127.0.0.1")).contains(sidecar.outboundAddress());
    assertThat(registered).contains(load.cli().<String>value("--authority"));
  }

  /** The Service {@code host} names from a pod of {@code namespace}, as cluster DNS resolves it. */
  private static Optional<Service> serviceNamed(String host, String namespace) {
    String[] parts = host.split("\\.");
    String name = parts[0];
    String serviceNamespace = parts.length > 1 ? parts[1] : namespace;
    List<String> suffix = List.of(parts).subList(Math.min(parts.length, 2), parts.length);
    if (!List.of(List.of(), List.of("svc"), List.of("svc", "cluster", "local")).contains(suffix)) {
      return Optional.empty();
    }
    return Manifests.services().stream()
        .filter(s -> s.getMetadata().getName().equals(name))
        .filter(s -> s.getMetadata().getNamespace().equals(serviceNamespace))
        .findFirst();
  }

  private static PodContainer container(Deployment deployment, Component component) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
        .map(c -> new PodContainer(deployment, c))
        .filter(c -> c.cli().component() == component)
        .findFirst()
        .orElseThrow(() -> new AssertionError(
            deployment.getMetadata().getName() + ": no " + component + " container"));
  }
}
