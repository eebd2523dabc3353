package io.weft.e2e;

import static io.weft.e2e.GreeterMesh.BOUND;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A rolling restart of every greeter instance under load, with retries off both in the client's
 * sidecar (its default {@code --retry-attempts 1}) and in the test's channel: each sidecar drains
 * on SIGTERM and exits 0, and not one call fails.
 */
class RollingRestartTest {

  private static final List<String> INSTANCES = List.of("greeter-1", "greeter-2", "greeter-3");
  private static final Duration APP_GRACE = Duration.ofSeconds(10);

  private GreeterMesh mesh;

  @BeforeEach
  void startMesh() {
    mesh = GreeterMesh.start(INSTANCES.size());
  }

  @AfterEach
  void stopMesh() {
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  void rollingRestartOfEveryInstance_underLoadWithoutRetries_failsNoCall() {
    GreeterLoad load = GreeterLoad.start(mesh.channel(), 100);
    long restarted;
    try {
      load.awaitAnswered(100);
      for (String id : INSTANCES) {
        GreeterInstance old = mesh.instance(id);
        old.sidecar().terminate();
        assertThat(old.sidecar().awaitExit(BOUND.multipliedBy(2))).as("exit code of " + id)
            .isZero();
        old.stopApp(APP_GRACE);
        mesh.remove(id);
        mesh.launch(id).awaitReady();
        mesh.awaitClientView(GreeterMesh.servingView(INSTANCES));
      }
      restarted = System.nanoTime();
      load.awaitAnsweredSince(restarted, 300);
    } finally {
      load.close();
    }

    assertThat(load.failures()).isEmpty();
    assertThat(load.answers()).allSatisfy(answer ->
        assertThat(answer.headerMatchesReply()).as("%s", answer).isTrue());
    assertThat(load.okByInstance(answer -> answer.startNanos() >= restarted))
        .containsOnlyKeys(INSTANCES);
  }
}
