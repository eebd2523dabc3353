package io.weft.demo.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kubelet's environment and {@code $(VAR)} expansion, as the manifest checks model them. */
class PodEnvironmentTest {

  @Test
  void expand_replacesDefinedVariables_keepsUndefinedOnes_andUnescapesDollars() {
    Map<String, String> env = Map.of("POD_NAME", "greeter-1");

    assertThat(PodEnvironment.expand("--id=$(POD_NAME)/$(POD_IP)", env))
        .isEqualTo("--id=greeter-1/$(POD_IP)");
    assertThat(PodEnvironment.expand("$$(POD_NAME) costs $$5 $(", env))
        .isEqualTo("$(POD_NAME) costs $5 $(");
  }

  @Test
  void references_nameTheVariablesExpanded_notTheEscapedOnes() {
    assertThat(PodEnvironment.references("$(A)-$$(B)-$(C_1)")).containsExactly("A", "C_1");
  }

  @Test
  void of_givesDownwardApiValues_andExpandsEarlierVariablesInLiterals() {
    Container container = new ContainerBuilder().withName("sidecar")
        .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef()
            .withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef()
            .withFieldPath("status.podIP").endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("WEFT_POD_ZONE").withNewValueFrom().withNewFieldRef()
            .withFieldPath("metadata.labels['topology.kubernetes.io/zone']").endFieldRef()
            .endValueFrom().endEnv()
        .addNewEnv().withName("WEFT_NODE_ID").withValue("$(POD_NAME)@$(LATER)").endEnv()
        .addNewEnv().withName("LATER").withValue("x").endEnv()
        .build();

    assertThat(PodEnvironment.of(container, "greeter-1", "weft")).containsExactly(
        Map.entry("POD_NAME", "greeter-1"),
        Map.entry("POD_IP", PodEnvironment.POD_IP),
        Map.entry("WEFT_POD_ZONE", PodEnvironment.ZONE),
        Map.entry("WEFT_NODE_ID", "greeter-1@$(LATER)"),
        Map.entry("LATER", "x"));
  }

  @Test
  void of_failsOnAFieldPathTheApiServerRejects() {
    Container container = new ContainerBuilder().withName("sidecar")
        .addNewEnv().withName("ZONE").withNewValueFrom().withNewFieldRef()
            .withFieldPath("metadata.labels.zone").endFieldRef().endValueFrom().endEnv()
        .build();

    assertThatThrownBy(() -> PodEnvironment.of(container, "p", "weft"))
        .hasMessageContaining("fieldPath metadata.labels.zone");
  }
}
