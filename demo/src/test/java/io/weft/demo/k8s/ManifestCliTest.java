package io.weft.demo.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Probe;
import io.weft.demo.k8s.ComponentCli.Listener;
import io.weft.demo.k8s.ComponentCli.Protocol;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every container of weft's images against the real command line of its component: args, env
 * vars, container ports, probe and hook ports; and every image against a Dockerfile.
 */
class ManifestCliTest {

  /** Env vars a container may set although the component does not read them. */
  private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");

  static Stream<PodContainer> weftContainers() {
    return PodContainer.weft();
  }

  @Test
  void everyContainer_runsOneOfWeftsImages() {
    assertThat(PodContainer.all()).isNotEmpty().allSatisfy(c ->
        assertThat(ComponentCli.isWeftImage(c.container().getImage()))
            .as("%s image %s", c, c.container().getImage()).isTrue());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("weftContainers")
  void args_areRealFlagsWithValidValues(PodContainer c) {
    assertThat(c.container().getCommand()).as("%s command (the image's entrypoint runs it)", c)
        .isEmpty();
    assertThatCode(c::cli).as("%s args %s", c, c.container().getArgs())
        .doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("weftContainers")
  void argReferences_nameVariablesOfTheContainer_elseTheKubeletPassesThemLiterally(
      PodContainer c) {
    Set<String> defined = PodEnvironment.variables(c.container()).stream().map(EnvVar::getName)
        .collect(Collectors.toSet());

    assertThat(c.container().getArgs()).allSatisfy(arg ->
        assertThat(defined).as("%s: variables of %s", c, arg)
            .containsAll(PodEnvironment.references(arg)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("weftContainers")
  void envVars_areReadByTheComponent_orUsedInArgs(PodContainer c) {
    Set<String> read = c.cli().environmentVariablesRead();
    Set<String> referenced = c.container().getArgs().stream()
        .flatMap(arg -> PodEnvironment.references(arg).stream())
        .collect(Collectors.toSet());

    assertThat(PodEnvironment.variables(c.container())).allSatisfy(var ->
        assertThat(read.contains(var.getName()) || referenced.contains(var.getName())
            || JVM_VARIABLES.contains(var.getName()))
            .as("%s env %s: read by the component %s or used in args", c, var.getName(), read)
            .isTrue());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("weftContainers")
  void containerPorts_areExactlyTheListenersReachableAtThePodIp(PodContainer c) {
    Set<Integer> reachable = c.cli().listeners().stream()
        .filter(Listener::reachableAtPodIp)
        .map(Listener::port)
        .collect(Collectors.toSet());

    assertThat(c.container().getPorts()).extracting(ContainerPort::getContainerPort)
        .as("%s containerPorts vs listeners %s", c, c.cli().listeners())
        .containsExactlyInAnyOrderElementsOf(reachable);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("weftContainers")
  void probes_targetAReachableListenerOfTheSameContainer_ofTheRightProtocol(PodContainer c) {
    List<Listener> listeners = c.cli().listeners();
    Map<String, Probe> probes = probes(c.container());

    probes.forEach((kind, probe) -> {
      assertThat(probe.getExec()).as("%s %s exec (the JRE image has no probe tools)", c, kind)
          .isNull();
      Listener target = listener(c, listeners, probeAction(probe));
      assertThat(target).as("%s %s port", c, kind).isNotNull();
      assertThat(target.reachableAtPodIp())
          .as("%s %s: %s is bound where the kubelet cannot reach it", c, kind, target).isTrue();
      if (probe.getHttpGet() != null) {
        assertThat(target.protocol()).as("%s %s httpGet", c, kind).isEqualTo(Protocol.HTTP_ADMIN);
      }
      if (probe.getGrpc() != null) {
        assertThat(target.protocol()).as("%s %s grpc", c, kind).isEqualTo(Protocol.GRPC);
      }
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("weftContainers")
  void lifecycleHooks_callAnAdminServerOfThePod(PodContainer c) {
    List<Listener> podListeners = c.pod().stream()
        .flatMap(other -> new PodContainer(c.deployment(), other).cli().listeners().stream())
        .toList();

    hooks(c.container()).forEach((kind, hook) -> {
      assertThat(hook.getHttpGet()).as("%s %s: an httpGet", c, kind).isNotNull();
      Listener target = listener(c, podListeners, hook.getHttpGet().getPort());
      assertThat(target).as("%s %s port %s", c, kind, hook.getHttpGet().getPort()).isNotNull();
      assertThat(target.protocol()).as("%s %s", c, kind).isEqualTo(Protocol.HTTP_ADMIN);
      assertThat(target.reachableAtPodIp()).as("%s %s: %s", c, kind, target).isTrue();
    });
  }

  @Test
  void everyImage_hasADockerfileThatNamesIt() {
    Set<String> named = Dockerfile.all(Manifests.ROOT).stream()
        .map(Dockerfile::image)
        .collect(Collectors.toSet());

    assertThat(PodContainer.all().map(c -> ImageReference.parse(c.container().getImage()).name()))
        .isNotEmpty()
        .allSatisfy(image -> assertThat(named).as("Dockerfile '# image:' lines").contains(image));
  }

  /** The listener {@code port} names, among {@code listeners}; null when none. */
  private static Listener listener(
      PodContainer c, List<Listener> listeners, IntOrString port) {
    OptionalInt number = c.resolve(port);
    if (number.isEmpty()) {
      return null;
    }
    return listeners.stream().filter(l -> l.port() == number.getAsInt()).findFirst().orElse(null);
  }

  private static IntOrString probeAction(Probe probe) {
    if (probe.getHttpGet() != null) {
      return probe.getHttpGet().getPort();
    }
    if (probe.getTcpSocket() != null) {
      return probe.getTcpSocket().getPort();
    }
    if (probe.getGrpc() != null) {
      return new IntOrString(probe.getGrpc().getPort());
    }
    throw new AssertionError("probe without httpGet, tcpSocket or grpc: " + probe);
  }

  /** The probes of {@code container} by kind. */
  static Map<String, Probe> probes(Container container) {
    Map<String, Probe> probes = new LinkedHashMap<>();
    probes.put("readinessProbe", container.getReadinessProbe());
    probes.put("livenessProbe", container.getLivenessProbe());
    probes.put("startupProbe", container.getStartupProbe());
    probes.values().removeIf(Objects::isNull);
    return probes;
  }

  /** The lifecycle hooks of {@code container} by kind. */
  static Map<String, LifecycleHandler> hooks(Container container) {
    Map<String, LifecycleHandler> hooks = new LinkedHashMap<>();
    if (container.getLifecycle() != null) {
      hooks.put("preStop", container.getLifecycle().getPreStop());
      hooks.put("postStart", container.getLifecycle().getPostStart());
    }
    hooks.values().removeIf(Objects::isNull);
    return hooks;
  }
}
