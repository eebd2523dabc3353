package io.weft.demo.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.weft.demo.k8s.ComponentCli.Component;
import io.weft.sidecar.SidecarConfig;
import io.weft.sidecar.SidecarMain;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What issue 4 demands of the manifests, checked on the rendered objects. */
class ManifestPolicyTest {

  private static final String NAMESPACE = "weft";

  static Stream<PodContainer> containers() {
    return PodContainer.all();
  }

  static Stream<PodContainer> sidecars() {
    return PodContainer.weft().filter(c -> c.cli().component() == Component.SIDECAR);
  }

  static Stream<Deployment> deployments() {
    return Manifests.deployments().stream();
  }

  @Test
  void everyObject_isInTheWeftNamespace_andLabelledPartOfWeft() {
    assertThat(Manifests.objects()).filteredOn(Namespace.class::isInstance)
        .extracting(o -> o.getMetadata().getName()).containsExactly(NAMESPACE);
    assertThat(Manifests.objects()).filteredOn(o -> !(o instanceof Namespace))
        .isNotEmpty()
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).as(describe(o))
            .isEqualTo(NAMESPACE));
    assertThat(Manifests.objects()).allSatisfy(o -> assertThat(o.getMetadata().getLabels())
        .as(describe(o)).containsEntry("app.kubernetes.io/part-of", "weft"));
  }

  @Test
  void controlPlaneService_exposes15010And15014_onTheControlPlanesPorts() {
    Service service = controlPlaneService();
    PodContainer controlPlane = controlPlane();
    Map<String, String> podLabels =
        controlPlane.deployment().getSpec().getTemplate().getMetadata().getLabels();

    assertThat(service.getSpec().getPorts()).extracting(ServicePort::getPort)
        .containsExactlyInAnyOrder(15010, 15014);
    assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(service.getSpec().getPorts()).allSatisfy(port ->
        assertThat(controlPlane.resolve(port.getTargetPort()))
            .as("Service port %s targetPort", port.getPort()).hasValue(port.getPort()));
    assertThat(controlPlane.cli().controlPlaneConfig().grpcPort()).isEqualTo(15010);
    assertThat(controlPlane.cli().controlPlaneConfig().adminPort()).isEqualTo(15014);
  }

  @Test
  void controlPlane_hasReadinessAndLivenessProbes_onItsAdminPort() {
    PodContainer controlPlane = controlPlane();
    int adminPort = controlPlane.cli().controlPlaneConfig().adminPort();

    for (Probe probe : List.of(controlPlane.container().getReadinessProbe(),
        controlPlane.container().getLivenessProbe())) {
      assertThat(probe).isNotNull();
      assertThat(probe.getHttpGet()).as("an httpGet probe").isNotNull();
      assertThat(controlPlane.resolve(probe.getHttpGet().getPort())).hasValue(adminPort);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void everyContainer_requestsAndLimitsCpuAndMemory(PodContainer c) {
    var resources = c.container().getResources();
    assertThat(resources).as("%s resources", c).isNotNull();

    for (String resource : List.of("cpu", "memory")) {
      Quantity request = resources.getRequests().get(resource);
      Quantity limit = resources.getLimits().get(resource);
      assertThat(request).as("%s requests.%s", c, resource).isNotNull();
      assertThat(limit).as("%s limits.%s", c, resource).isNotNull();
      assertThat(limit.getNumericalAmount())
          .as("%s limits.%s vs requests", c, resource)
          .isGreaterThanOrEqualTo(request.getNumericalAmount());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void everyContainer_runsAsNonRoot_withoutPrivileges_onAReadOnlyRoot(PodContainer c) {
    PodSecurityContext pod = podSpec(c.deployment()).getSecurityContext();
    SecurityContext own = c.container().getSecurityContext();
    assertThat(own).as("%s securityContext", c).isNotNull();

    Boolean runAsNonRoot = own.getRunAsNonRoot() != null ? own.getRunAsNonRoot()
        : pod == null ? null : pod.getRunAsNonRoot();
    Long runAsUser = own.getRunAsUser() != null ? own.getRunAsUser()
        : pod == null ? null : pod.getRunAsUser();
    assertThat(runAsNonRoot).as("%s runAsNonRoot", c).isTrue();
    assertThat(runAsUser).as("%s runAsUser", c).isNotNull().isPositive();
    assertThat(own.getPrivileged()).as("%s privileged", c).isNotEqualTo(Boolean.TRUE);
    assertThat(own.getAllowPrivilegeEscalation()).as("%s allowPrivilegeEscalation", c).isFalse();
    assertThat(own.getReadOnlyRootFilesystem()).as("%s readOnlyRootFilesystem", c).isTrue();
    assertThat(own.getCapabilities()).as("%s capabilities", c).isNotNull();
    assertThat(own.getCapabilities().getDrop()).as("%s capabilities.drop", c).contains("ALL");
    assertThat(own.getCapabilities().getAdd()).as("%s capabilities.add", c).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void everyContainer_hasAWritableTmp_forTheJvm_onItsReadOnlyRoot(PodContainer c) {
    List<String> podVolumes = podSpec(c.deployment()).getVolumes().stream()
        .filter(v -> v.getEmptyDir() != null)
        .map(Volume::getName)
        .toList();

    assertThat(c.container().getVolumeMounts())
        .as("%s volumeMounts", c)
        .anySatisfy(mount -> {
          assertThat(mount.getMountPath()).isEqualTo("/tmp");
          assertThat(mount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
          assertThat(podVolumes).contains(mount.getName());
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deployments")
  void everyDeployment_selectsItsOwnPods(Deployment deployment) {
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(deployment.getSpec().getSelector().getMatchLabels()).isNotEmpty();
  }

  @Test
  void greeter_runsThreeReplicas_ofTheGreeterBesideItsSidecar() {
    Deployment greeter = Manifests.deployment("greeter");

    assertThat(greeter.getSpec().getReplicas()).isEqualTo(3);
    assertThat(podSpec(greeter).getContainers())
        .extracting(c -> new PodContainer(greeter, c).cli().component())
        .containsExactlyInAnyOrder(Component.GREETER_SERVER, Component.SIDECAR);
  }

  @Test
  void greeterPod_takesInstanceIdFromThePodName_andAdvertisesThePodIp_viaTheDownwardApi() {
    Deployment greeter = Manifests.deployment("greeter");
    PodContainer server = new PodContainer(greeter, Manifests.container(greeter, "greeter"));
    SidecarConfig sidecar = sidecar(greeter).cli().sidecarConfig();

    assertThat(server.cli().<String>value("--instance-id")).isEqualTo(Manifests.podName(greeter));
    assertThat(sidecar.instanceId()).isEqualTo(Manifests.podName(greeter));
    assertThat(sidecar.app()).isNotNull();
    assertThat(sidecar.app().advertiseAddress()).isEqualTo(PodEnvironment.POD_IP);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sidecars")
  void everySidecar_takesItsZoneFromThePodsTopologyLabel(PodContainer c) {
    EnvVar zone = PodEnvironment.variables(c.container()).stream()
        .filter(v -> v.getName().equals(SidecarMain.POD_ZONE_ENV))
        .findFirst()
        .orElseThrow(() -> new AssertionError(c + ": no env " + SidecarMain.POD_ZONE_ENV));

    assertThat(zone.getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.labels['topology.kubernetes.io/zone']");
    assertThat(c.cli().sidecarConfig().zone()).isEqualTo(PodEnvironment.ZONE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sidecars")
  void everySidecar_isReadyWhenItsReadyEndpointSaysSo(PodContainer c) {
    Probe readiness = c.container().getReadinessProbe();

    assertThat(readiness).as("%s readinessProbe", c).isNotNull();
    assertThat(readiness.getHttpGet()).as("%s readinessProbe.httpGet", c).isNotNull();
    assertThat(readiness.getHttpGet().getPath()).isEqualTo("/ready");
    assertThat(c.resolve(readiness.getHttpGet().getPort()))
        .hasValue(c.cli().sidecarConfig().adminPort());
  }

  @Test
  void greeterPod_drainsItsSidecarBeforeEitherContainerStops() {
    Deployment greeter = Manifests.deployment("greeter");
    int adminPort = sidecar(greeter).cli().sidecarConfig().adminPort();

    assertThat(podSpec(greeter).getContainers()).allSatisfy(container -> {
      PodContainer c = new PodContainer(greeter, container);
      var preStop = container.getLifecycle() == null ? null
          : container.getLifecycle().getPreStop();
      assertThat(preStop).as("%s preStop", c).isNotNull();
      assertThat(preStop.getHttpGet()).as("%s preStop.httpGet", c).isNotNull();
      assertThat(preStop.getHttpGet().getPath()).as("%s preStop path", c).isEqualTo("/drain");
      assertThat(c.resolve(preStop.getHttpGet().getPort())).as("%s preStop port", c)
          .hasValue(adminPort);
    });
  }

  @Test
  void volumeMounts_nameVolumesOfThePod() {
    assertThat(PodContainer.all()).allSatisfy(c -> {
      List<String> volumes = podSpec(c.deployment()).getVolumes().stream()
          .map(Volume::getName).toList();
      assertThat(c.container().getVolumeMounts()).extracting(VolumeMount::getName)
          .as("%s volumeMounts", c).allSatisfy(name -> assertThat(volumes).contains(name));
    });
  }

  private static PodContainer sidecar(Deployment deployment) {
    return new PodContainer(deployment, podSpec(deployment).getContainers().stream()
        .filter(container -> ImageReference.parse(container.getImage()).name()
            .equals("weft/sidecar"))
        .findFirst()
        .orElseThrow(() -> new AssertionError(
            deployment.getMetadata().getName() + ": no sidecar container")));
  }

  private static PodContainer controlPlane() {
    Deployment deployment = Manifests.deployment("weft-control-plane");
    Container container = podSpec(deployment).getContainers().stream()
        .filter(c -> ImageReference.parse(c.getImage()).name().equals("weft/control-plane"))
        .findFirst()
        .orElseThrow();
    return new PodContainer(deployment, container);
  }

  private static Service controlPlaneService() {
    return Manifests.services().stream()
        .filter(s -> s.getMetadata().getName().equals("weft-control-plane"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Service weft-control-plane"));
  }

  private static PodSpec podSpec(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec();
  }

  private static String describe(HasMetadata object) {
    return object.getKind() + " " + object.getMetadata().getName();
  }
}
