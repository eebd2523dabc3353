package io.weft.demo.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Strict reading into the Kubernetes model: weft's objects pass, misspelled fields fail. */
class StrictKubernetesTest {

  private static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: d
      spec:
        replicas: 3
        selector:
          matchLabels: {app: d}
        template:
          metadata:
            labels: {app: d}
          spec:
            terminationGracePeriodSeconds: 30
            containers:
              - name: c
                image: weft/sidecar
                ports:
                  - containerPort: 15000
                readinessProbe:
                  httpGet: {path: /ready, port: 15000}
                resources:
                  limits: {cpu: "1", memory: 256Mi}
      """;

  @Test
  void parse_readsEveryRenderedWeftObject_intoItsModelClass() {
    List<HasMetadata> objects = Manifests.objects();

    List<String> rendered = Kustomize.render(Manifests.KUSTOMIZATION).stream()
        .map(tree -> tree.get("kind") + "/" + ((Map<?, ?>) tree.get("metadata")).get("name"))
        .toList();
    assertThat(objects).extracting(object -> object.getKind() + "/"
            + object.getMetadata().getName())
        .as("each rendered object, parsed with its kind and name")
        .containsExactlyElementsOf(rendered);
    assertThat(objects).hasAtLeastOneElementOfType(Namespace.class)
        .hasAtLeastOneElementOfType(Service.class)
        .hasAtLeastOneElementOfType(Deployment.class);
  }

  @Test
  void parse_readsAValidDeployment_withEveryFieldInPlace() {
    Deployment deployment = (Deployment) StrictKubernetes.parse(tree(DEPLOYMENT));

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0)
        .getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(15000);
    assertThat(deployment.getAdditionalProperties()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "replicas: 3, replica",
    "readinessProbe:, readinesProbe",
    "containerPort: 15000, contianerPort",
    "terminationGracePeriodSeconds: 30, terminationGracePeriod",
    "name: d, nmae",
    "path: /ready, pth",
  })
  void parse_failsOnAMisspelledField_namingIt(String field, String misspelled) {
    String manifest = DEPLOYMENT.replace(field, misspelled + field.substring(field.indexOf(':')));
    assertThat(manifest).as("the fixture changed").isNotEqualTo(DEPLOYMENT);

    assertThatThrownBy(() -> StrictKubernetes.parse(tree(manifest)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("apps/v1/Deployment ")
        .hasMessageContaining("\"" + misspelled + "\"");
  }

  @Test
  void parse_namesThePathOfAMisspelledField() {
    String manifest = DEPLOYMENT.replace("containerPort:", "contianerPort:");

    assertThatThrownBy(() -> StrictKubernetes.parse(tree(manifest)))
        .hasMessageContaining("at spec.template.spec.containers[0].ports[0].contianerPort");
  }

  @Test
  void parse_failsOnAScalarOfTheWrongType() {
    String manifest = DEPLOYMENT.replace("replicas: 3", "replicas: \"3\"");

    assertThatThrownBy(() -> StrictKubernetes.parse(tree(manifest)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replicas");
  }

  @Test
  void parse_failsOnAKindTheModelDoesNotHave() {
    String manifest = DEPLOYMENT.replace("kind: Deployment", "kind: Deploymnet");

    assertThatThrownBy(() -> StrictKubernetes.parse(tree(manifest)))
        .hasMessageContaining("apiVersion/kind: apps/v1/Deploymnet");
  }

  @Test
  void parse_failsOnAMisspelledFieldOfAService() {
    String manifest = """
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec:
          ports:
            - {port: 15010, targetPrt: grpc}
        """;

    assertThatThrownBy(() -> StrictKubernetes.parse(tree(manifest)))
        .hasMessageContaining("\"targetPrt\"");
  }

  private static Map<String, Object> tree(String yaml) {
    return Kustomize.asMap(Kustomize.readYaml(yaml).get(0), "test manifest");
  }
}
