package io.weft.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.KnownService;
import io.weft.mesh.v1.ServiceEndpoints;
import io.weft.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The warm-up rule in isolation. */
class WarmupGateTest {

  private static final Duration WARMUP = Duration.ofSeconds(10);

  private final FakeClock clock = new FakeClock();
  private final AtomicInteger ended = new AtomicInteger();
  private final WarmupGate gate = WarmupGate.start(WARMUP, clock.scheduler(), ended::incrementAndGet);
  private final Object reporter = new Object();
  private final Object other = new Object();
  private final Object newcomer = new Object();

  @Test
  void service_isSentToReporterOnlyOnceEveryReportedIdIsBack() {
    gate.register(reporter, known("greeter", "g1", "g2"));
    gate.register(other, known("greeter", "g2", "g3"));

    assertThat(gate.allowsService(reporter, endpoints("greeter", "g1", "g2"))).isFalse();
    assertThat(gate.allowsService(newcomer, endpoints("greeter", "g1"))).isTrue();
    assertThat(gate.allowsService(reporter, endpoints("greeter", "g1", "g2", "g3", "g4")))
        .isTrue();
    assertThat(gate.allowsService(reporter, endpoints("billing", "b1"))).isTrue();
  }

  @Test
  void emptyServicesAndRoutes_areHeldFromEveryone() {
    assertThat(gate.allowsService(newcomer, endpoints("greeter"))).isFalse();
    assertThat(gate.allowsRoute(GrpcRoute.newBuilder().setGrpcService("a.B").build())).isFalse();
    assertThat(
            gate.allowsRoute(
                GrpcRoute.newBuilder().setGrpcService("a.B").addServices("greeter").build()))
        .isTrue();
  }

  @Test
  void unregister_dropsTheReportAndReturnsItsServices() {
    gate.register(reporter, known("greeter", "g1", "g2"));
    gate.register(other, known("greeter", "g1"));

    assertThat(gate.unregister(reporter)).containsExactly("greeter");

    assertThat(gate.allowsService(other, endpoints("greeter", "g1"))).isTrue();
    assertThat(gate.unregister(newcomer)).isEmpty();
  }

  @Test
  void end_letsEverythingThroughAndRunsOnEndOnce() {
    gate.register(reporter, known("greeter", "g1", "g2"));

    clock.forward(WARMUP.toNanos() - 1, TimeUnit.NANOSECONDS);
    assertThat(gate.isWarming()).isTrue();
    assertThat(ended).hasValue(0);
    clock.forward(1, TimeUnit.NANOSECONDS);

    assertThat(gate.isWarming()).isFalse();
    assertThat(ended).hasValue(1);
    assertThat(gate.allowsService(reporter, endpoints("greeter"))).isTrue();
    assertThat(gate.allowsRoute(GrpcRoute.newBuilder().setGrpcService("a.B").build())).isTrue();
    gate.register(other, known("greeter", "g9"));
    assertThat(gate.allowsService(other, endpoints("greeter", "g1"))).isTrue();
  }

  @Test
  void zeroWarmup_isNeverWarming() {
    FakeClock otherClock = new FakeClock();
    WarmupGate none =
        WarmupGate.start(Duration.ZERO, otherClock.scheduler(), ended::incrementAndGet);

    assertThat(none.isWarming()).isFalse();
    assertThat(none.allowsService(newcomer, endpoints("greeter"))).isTrue();
    assertThat(otherClock.pendingTaskCount()).isZero();
  }

  private static Map<String, KnownService> known(String service, String... ids) {
    return Map.of(service, KnownService.newBuilder().addAllInstanceIds(List.of(ids)).build());
  }

  private static ServiceEndpoints endpoints(String service, String... ids) {
    ServiceEndpoints.Builder endpoints = ServiceEndpoints.newBuilder().setService(service);
    for (String id : ids) {
      endpoints.addInstances(Instance.newBuilder().setService(service).setInstanceId(id));
    }
    return endpoints.build();
  }
}
