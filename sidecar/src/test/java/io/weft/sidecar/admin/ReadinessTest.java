package io.weft.sidecar.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import io.weft.mesh.v1.HealthStatus;
import io.weft.sidecar.agent.AgentState;
import io.weft.sidecar.agent.AgentState.Phase;
import io.weft.sidecar.discovery.DiscoveryClientDump;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReadinessTest {

  private AgentState agent = agent(Phase.REGISTERING, false);
  private DiscoveryClientDump discovery = discovery(false, ImmutableSortedSet.of("greeter"));
  private final Readiness readiness =
      new Readiness("greeter/greeter-1", () -> Optional.of(agent), () -> discovery);

  @Test
  void notReady_untilRegistered_namingTheAgentPhase() {
    discovery = discovery(true, ImmutableSortedSet.of("greeter"));

    Readiness.View view = readiness.check();

    assertThat(view.ready()).isFalse();
    assertThat(view.reason()).isEqualTo("not registered yet (agent REGISTERING)");
    assertThat(view.agentPhase()).isEqualTo("REGISTERING");
  }

  @Test
  void notReady_untilTheWatchedNamesHaveAnAnswer_namingTheControlPlane() {
    agent = agent(Phase.REGISTERED, true);

    Readiness.View view = readiness.check();

    assertThat(view.ready()).isFalse();
    assertThat(view.reason()).isEqualTo("no response from control plane cp:15010 yet");
  }

  @Test
  void ready_whenRegisteredAndSubscribed() {
    agent = agent(Phase.REGISTERED, true);
    discovery = discovery(true, ImmutableSortedSet.of("greeter"));

    assertThat(readiness.check())
        .isEqualTo(new Readiness.View(true, null, "REGISTERED", true, true, true, false));
    assertThat(readiness.isReady()).isTrue();
  }

  @Test
  void pureClient_watchingNothing_isReadyAtOnce() {
    Readiness client = new Readiness("-/-", Optional::empty,
        () -> discovery(false, ImmutableSortedSet.of()));

    assertThat(client.check())
        .isEqualTo(new Readiness.View(true, null, null, null, true, false, false));
  }

  @Test
  void staysReady_whenTheControlPlaneGoesAwayAfterwards() {
    agent = agent(Phase.REGISTERED, true);
    discovery = discovery(true, ImmutableSortedSet.of("greeter"));
    readiness.check();

    agent = agent(Phase.RECONNECTING, false);
    discovery = discovery(false, ImmutableSortedSet.of("greeter"));

    Readiness.View view = readiness.check();
    assertThat(view.ready()).isTrue();
    assertThat(view.discoveryConnected()).isFalse();
    assertThat(view.registered()).isFalse();
  }

  @Test
  void notReady_forGood_onceADrainStarted() {
    agent = agent(Phase.REGISTERED, true);
    discovery = discovery(true, ImmutableSortedSet.of("greeter"));
    readiness.check();

    readiness.drainStarted();

    Readiness.View view = readiness.check();
    assertThat(view.ready()).isFalse();
    assertThat(view.reason()).isEqualTo("draining");
    assertThat(view.draining()).isTrue();
    assertThat(readiness.isReady()).isFalse();
  }

  private static AgentState agent(Phase phase, boolean registered) {
    return new AgentState(phase, registered, registered ? "lease-1" : "",
        HealthStatus.SERVING, List.of(), false);
  }

  private static DiscoveryClientDump discovery(
      boolean connected, ImmutableSortedSet<String> services) {
    return new DiscoveryClientDump("node-1", "cp:15010", connected, "", "", "", "", null, null,
        services, ImmutableSortedSet.of(), ImmutableSortedMap.of(), ImmutableSortedMap.of(),
        new DiscoveryClientDump.Counts(0, 0, 0, 0));
  }
}
