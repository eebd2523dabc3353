package io.weft.controlplane.registry;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.mesh.v1.HealthStatus;
import io.weft.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SelfPreservationTest {

  private final FakeClock clock = new FakeClock();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final Registry registry =
      new Registry(RegistryOptions.defaults(), clock.ticker(), clock.scheduler(), meters);

  @AfterEach
  void tearDown() {
    registry.close();
    assertThat(clock.pendingTaskCount()).isZero();
  }

  @Test
  void expiry_isSuspended_whenMoreThanHalfTheLeasesLapseWithinOneTtl() throws Exception {
    List<Registration> leases = register(10);

    clock.forward(10, SECONDS);

    assertThat(instanceCount()).isEqualTo(5);
    assertThat(registry.selfPreservationActive()).isTrue();
    assertThat(expired()).isEqualTo(5);
    assertThat(meters.get("weft_registry_self_preservation").gauge().value()).isEqualTo(1);
    assertThat(registry.leases())
        .hasSize(5)
        .allSatisfy(
            lease -> {
              assertThat(lease.state()).isEqualTo(LeaseView.State.EXPIRY_SUSPENDED);
              assertThat(lease.timeLeft()).isZero();
            });

    // However long the partition lasts, the last known instances stay.
    clock.forward(120, SECONDS);
    assertThat(instanceCount()).isEqualTo(5);
    assertThat(registry.selfPreservationActive()).isTrue();
    assertThat(leases.get(0).leaseId()).isNotNull();
  }

  @Test
  void expiry_resumes_whenRenewalsResume_andExpiresOnlyTheStillSilent() throws Exception {
    List<Registration> leases = register(10);
    clock.forward(30, SECONDS);
    List<String> kept = registry.leases().stream().map(LeaseView::leaseId).toList();
    assertThat(kept).hasSize(5);

    registry.renew(kept.get(0), HealthStatus.SERVING);
    registry.renew(kept.get(1), HealthStatus.SERVING);
    assertThat(registry.selfPreservationActive()).isTrue();
    assertThat(instanceCount()).isEqualTo(5);

    // 2 of 5 still silent is within the limit: self-preservation ends, the silent ones go.
    registry.renew(kept.get(2), HealthStatus.SERVING);

    assertThat(registry.selfPreservationActive()).isFalse();
    assertThat(instanceCount()).isEqualTo(3);
    assertThat(expired()).isEqualTo(7);
    assertThat(meters.get("weft_registry_self_preservation").gauge().value()).isZero();
    assertThat(registry.leases())
        .extracting(LeaseView::state)
        .containsOnly(LeaseView.State.ACTIVE);
    assertThat(leases).hasSize(10);

    // Expiry is armed again: when all three lapse, two expire and the third trips the limit.
    clock.forward(10, SECONDS);
    assertThat(instanceCount()).isEqualTo(1);
    assertThat(expired()).isEqualTo(9);
    assertThat(registry.selfPreservationActive()).isTrue();
  }

  @Test
  void suspendedLease_staysRenewable_andIsNotExpiredLater() throws Exception {
    register(10);
    clock.forward(10, SECONDS);
    String suspended = registry.leases().get(0).leaseId();

    Renewal renewal = registry.renew(suspended, HealthStatus.SERVING);

    assertThat(renewal.outcome()).isEqualTo(Renewal.Outcome.RENEWED);
    assertThat(registry.leases().get(0).state()).isEqualTo(LeaseView.State.ACTIVE);
  }

  @Test
  void deregistration_stillWorks_duringSelfPreservation() throws Exception {
    register(10);
    clock.forward(10, SECONDS);
    String suspended = registry.leases().get(0).leaseId();

    registry.deregister(suspended, Duration.ZERO);

    assertThat(instanceCount()).isEqualTo(4);
    assertThat(registry.selfPreservationActive()).isTrue();
  }

  @Test
  void twoLapsedLeases_expire_evenIfTheyAreAll() throws Exception {
    register(2);

    clock.forward(10, SECONDS);

    assertThat(instanceCount()).isZero();
    assertThat(registry.selfPreservationActive()).isFalse();
    assertThat(expired()).isEqualTo(2);
  }

  @Test
  void aMinorityOfLapsedLeases_expires_withoutSelfPreservation() throws Exception {
    List<Registration> leases = register(10);
    clock.forward(5, SECONDS);
    leases.subList(0, 6).forEach(r -> registry.renew(r.leaseId(), HealthStatus.SERVING));

    clock.forward(5, SECONDS);

    assertThat(instanceCount()).isEqualTo(6);
    assertThat(registry.selfPreservationActive()).isFalse();
    assertThat(expired()).isEqualTo(4);
  }

  private List<Registration> register(int count) throws Exception {
    List<Registration> registrations = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      registrations.add(registry.register(TestRequests.request("greeter", "greeter-" + i)));
    }
    return registrations;
  }

  private int instanceCount() {
    return registry.snapshot().service("greeter").instances().size();
  }

  private double expired() {
    return meters.counter("weft_leases_expired_total").count();
  }
}
