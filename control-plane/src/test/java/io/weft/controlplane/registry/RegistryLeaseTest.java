package io.weft.controlplane.registry;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.RegisterRequest;
import io.weft.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RegistryLeaseTest {

  private final FakeClock clock = new FakeClock();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final Registry registry =
      new Registry(RegistryOptions.defaults(), clock.ticker(), clock.scheduler(), meters);
  private final List<RegistryChange> changes = new ArrayList<>();
  private final List<String> leaseEvents = new ArrayList<>();

  RegistryLeaseTest() {
    registry.addListener(changes::add);
    registry.addLeaseListener((leaseId, reason) -> leaseEvents.add(leaseId + " " + reason));
  }

  @AfterEach
  void tearDown() {
    registry.close();
    assertThat(clock.pendingTaskCount()).isZero();
  }

  @Test
  void lease_expiresExactlyAtTtl_notBefore() throws Exception {
    Registration registration = registry.register(TestRequests.request("greeter", "greeter-1"));

    clock.forward(Duration.ofSeconds(10).toNanos() - 1, NANOSECONDS);
    assertThat(instances("greeter")).hasSize(1);

    clock.forward(1, NANOSECONDS);
    assertThat(instances("greeter")).isEmpty();
    assertThat(registry.renew(registration.leaseId(), HealthStatus.HEALTH_STATUS_UNSPECIFIED)
            .outcome())
        .isEqualTo(Renewal.Outcome.NOT_FOUND);
    assertThat(leaseEvents).containsExactly(registration.leaseId() + " EXPIRED");
    assertThat(changes).hasSize(2);
    assertThat(changes.get(1).changedServices()).containsExactly("greeter");
    assertThat(meters.counter("weft_leases_expired_total").count()).isEqualTo(1);
  }

  @Test
  void renew_extendsLeaseByItsFullTtl() throws Exception {
    Registration registration = registry.register(TestRequests.request("greeter", "greeter-1"));
    clock.forward(6, SECONDS);

    Renewal renewal =
        registry.renew(registration.leaseId(), HealthStatus.HEALTH_STATUS_UNSPECIFIED);

    assertThat(renewal.outcome()).isEqualTo(Renewal.Outcome.RENEWED);
    assertThat(renewal.timeLeft()).isEqualTo(Duration.ofSeconds(10));
    clock.forward(Duration.ofSeconds(10).toNanos() - 1, NANOSECONDS);
    assertThat(instances("greeter")).hasSize(1);
    clock.forward(1, NANOSECONDS);
    assertThat(instances("greeter")).isEmpty();
    assertThat(changes).hasSize(2);
  }

  @Test
  void register_grantsRequestedTtl() throws Exception {
    RegisterRequest request =
        TestRequests.request("greeter", "greeter-1").toBuilder()
            .setLeaseTtl(com.google.protobuf.Duration.newBuilder().setSeconds(3))
            .build();

    Registration registration = registry.register(request);

    assertThat(registration.leaseTtl()).isEqualTo(Duration.ofSeconds(3));
    clock.forward(2999, MILLISECONDS);
    assertThat(instances("greeter")).hasSize(1);
    clock.forward(1, MILLISECONDS);
    assertThat(instances("greeter")).isEmpty();
  }

  @Test
  void register_appliesDefaults_andSortsGrpcServices() throws Exception {
    Instance instance =
        TestRequests.instance("greeter", "greeter-1").toBuilder()
            .setWeight(0)
            .setHealth(HealthStatus.HEALTH_STATUS_UNSPECIFIED)
            .clearGrpcServices()
            .addGrpcServices("z.Z")
            .addGrpcServices("a.A")
            .build();

    Registration registration = registry.register(TestRequests.request(instance, "node-1"));

    Instance expected =
        instance.toBuilder()
            .setWeight(100)
            .setHealth(HealthStatus.SERVING)
            .clearGrpcServices()
            .addGrpcServices("a.A")
            .addGrpcServices("z.Z")
            .build();
    assertThat(registration.instance()).isEqualTo(expected);
    assertThat(instances("greeter")).containsExactly(expected);
    assertThat(registration.revision()).isEqualTo(1);
    assertThat(registration.leaseTtl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(registration.leaseId()).hasSize(36);
  }

  @Test
  void reRegister_sameNodeIdenticalFields_keepsLeaseResetsExpiry_withoutRevisionBump()
      throws Exception {
    Registration first = registry.register(TestRequests.request("greeter", "greeter-1"));
    clock.forward(8, SECONDS);

    Registration second = registry.register(TestRequests.request("greeter", "greeter-1"));

    assertThat(second.leaseId()).isEqualTo(first.leaseId());
    assertThat(second.revision()).isEqualTo(first.revision());
    assertThat(changes).hasSize(1);
    assertThat(leaseEvents).isEmpty();
    clock.forward(Duration.ofSeconds(10).toNanos() - 1, NANOSECONDS);
    assertThat(instances("greeter")).hasSize(1);
    clock.forward(1, NANOSECONDS);
    assertThat(instances("greeter")).isEmpty();
  }

  @Test
  void reRegister_sameNodeChangedFields_replacesWithoutDuplicate() throws Exception {
    Registration first = registry.register(TestRequests.request("greeter", "greeter-1"));
    Instance moved =
        TestRequests.instance("greeter", "greeter-1").toBuilder().setPort(9000).build();

    Registration second = registry.register(TestRequests.request(moved, "node-greeter-1"));

    assertThat(second.leaseId()).isEqualTo(first.leaseId());
    assertThat(second.revision()).isEqualTo(first.revision() + 1);
    assertThat(instances("greeter")).containsExactly(moved);
    assertThat(registry.leases()).hasSize(1);
  }

  @Test
  void register_otherNode_supersedesOldLease_andRemembersIt() throws Exception {
    Registration old = registry.register(TestRequests.request(instance(), "node-a"));
    clock.forward(5, SECONDS);

    Registration taken = registry.register(TestRequests.request(instance(), "node-b"));

    assertThat(taken.leaseId()).isNotEqualTo(old.leaseId());
    assertThat(taken.revision()).isEqualTo(old.revision());
    assertThat(leaseEvents).containsExactly(old.leaseId() + " SUPERSEDED");
    assertThat(registry.renew(old.leaseId(), HealthStatus.SERVING).outcome())
        .isEqualTo(Renewal.Outcome.SUPERSEDED);
    assertThatThrownBy(() -> registry.deregister(old.leaseId(), Duration.ZERO))
        .isInstanceOfSatisfying(
            StatusException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription())
                  .contains("lease_id: \"" + old.leaseId() + "\"")
                  .contains("superseded");
            });
    assertThat(registry.leases())
        .singleElement()
        .satisfies(lease -> assertThat(lease.nodeId()).isEqualTo("node-b"));
    // The old lease's expiry (t=10 s) does not remove the instance the new lease holds (t=15 s).
    clock.forward(Duration.ofSeconds(10).toNanos() - 1, NANOSECONDS);
    assertThat(instances("greeter")).hasSize(1);
    clock.forward(1, NANOSECONDS);
    assertThat(instances("greeter")).isEmpty();
  }

  @Test
  void supersededTombstone_isForgottenAfterTenTtls() throws Exception {
    Registration old = registry.register(TestRequests.request(instance(), "node-a"));
    registry.register(TestRequests.request(instance(), "node-b"));

    clock.forward(Duration.ofSeconds(100).toNanos() - 1, NANOSECONDS);
    assertThat(registry.renew(old.leaseId(), HealthStatus.SERVING).outcome())
        .isEqualTo(Renewal.Outcome.SUPERSEDED);
    clock.forward(1, NANOSECONDS);
    assertThat(registry.renew(old.leaseId(), HealthStatus.SERVING).outcome())
        .isEqualTo(Renewal.Outcome.NOT_FOUND);
  }

  @Test
  void deregister_marksDraining_thenRemovesAfterDefaultGrace() throws Exception {
    Registration registration = registry.register(TestRequests.request("greeter", "greeter-1"));

    Deregistration deregistration = registry.deregister(registration.leaseId(), null);

    assertThat(deregistration.revision()).isEqualTo(2);
    assertThat(deregistration.instance()).hasValueSatisfying(
        instance -> assertThat(instance.getHealth()).isEqualTo(HealthStatus.DRAINING));
    assertThat(instances("greeter")).singleElement()
        .satisfies(instance -> assertThat(instance.getHealth()).isEqualTo(HealthStatus.DRAINING));
    assertThat(changes).hasSize(2);

    // Draining leases need no renewal: the TTL passes, the instance stays until the grace ends.
    clock.forward(Duration.ofSeconds(30).toNanos() - 1, NANOSECONDS);
    Renewal renewal = registry.renew(registration.leaseId(), HealthStatus.SERVING);
    assertThat(renewal.outcome()).isEqualTo(Renewal.Outcome.DRAINING);
    assertThat(renewal.timeLeft()).isEqualTo(Duration.ofNanos(1));
    assertThat(instances("greeter")).singleElement()
        .satisfies(instance -> assertThat(instance.getHealth()).isEqualTo(HealthStatus.DRAINING));
    clock.forward(1, NANOSECONDS);

    assertThat(instances("greeter")).isEmpty();
    assertThat(changes).hasSize(3);
    assertThat(leaseEvents).containsExactly(registration.leaseId() + " REMOVED");
    assertThat(registry.renew(registration.leaseId(), HealthStatus.SERVING).outcome())
        .isEqualTo(Renewal.Outcome.DEREGISTERED);
    Deregistration again = registry.deregister(registration.leaseId(), Duration.ZERO);
    assertThat(again.revision()).isEqualTo(3);
    assertThat(again.instance()).isEmpty();
    assertThat(changes).hasSize(3);
  }

  @Test
  void deregister_zeroGrace_removesAtOnce() throws Exception {
    Registration registration = registry.register(TestRequests.request("greeter", "greeter-1"));

    Deregistration deregistration = registry.deregister(registration.leaseId(), Duration.ZERO);

    assertThat(deregistration.instance()).isEmpty();
    assertThat(deregistration.revision()).isEqualTo(2);
    assertThat(deregistration.service()).isEqualTo("greeter");
    assertThat(instances("greeter")).isEmpty();
    assertThat(registry.snapshot().services()).isEmpty();
    assertThat(leaseEvents).containsExactly(registration.leaseId() + " REMOVED");
  }

  @Test
  void deregister_secondCall_shortensGrace_neverLengthensIt() throws Exception {
    Registration registration = registry.register(TestRequests.request("greeter", "greeter-1"));
    Deregistration first = registry.deregister(registration.leaseId(), Duration.ofSeconds(30));

    clock.forward(5, SECONDS);
    Deregistration longer = registry.deregister(registration.leaseId(), Duration.ofSeconds(60));
    assertThat(longer.revision()).isEqualTo(first.revision());
    clock.forward(5, SECONDS);
    Deregistration shorter = registry.deregister(registration.leaseId(), Duration.ofSeconds(5));
    assertThat(shorter.revision()).isEqualTo(first.revision());
    assertThat(changes).hasSize(2);

    clock.forward(Duration.ofSeconds(5).toNanos() - 1, NANOSECONDS);
    assertThat(instances("greeter")).hasSize(1);
    clock.forward(1, NANOSECONDS);
    assertThat(instances("greeter")).isEmpty();
  }

  @Test
  void deregister_secondCallWithZeroGrace_removesAtOnce() throws Exception {
    Registration registration = registry.register(TestRequests.request("greeter", "greeter-1"));
    registry.deregister(registration.leaseId(), Duration.ofSeconds(30));

    Deregistration removal = registry.deregister(registration.leaseId(), Duration.ZERO);

    assertThat(removal.revision()).isEqualTo(3);
    assertThat(removal.instance()).isEmpty();
    assertThat(instances("greeter")).isEmpty();
  }

  @Test
  void deregister_rejectsBadInput_changingNothing() throws Exception {
    Registration registration = registry.register(TestRequests.request("greeter", "greeter-1"));

    assertInvalid(() -> registry.deregister("", null), "lease_id: \"\"");
    assertInvalid(
        () -> registry.deregister(registration.leaseId(), Duration.ofSeconds(301)),
        "grace: 301s (expected: 0s..300s)");
    assertInvalid(
        () -> registry.deregister(registration.leaseId(), Duration.ofSeconds(-1)), "grace: -1s");
    assertThatThrownBy(() -> registry.deregister("no-such-lease", null))
        .isInstanceOfSatisfying(
            StatusException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription()).contains("lease_id: \"no-such-lease\"");
            });
    assertThat(changes).hasSize(1);
    assertThat(instances("greeter")).singleElement()
        .satisfies(instance -> assertThat(instance.getHealth()).isEqualTo(HealthStatus.SERVING));
  }

  @Test
  void reRegister_sameNodeWhileDraining_cancelsTheDrain() throws Exception {
    Registration registration = registry.register(TestRequests.request("greeter", "greeter-1"));
    registry.deregister(registration.leaseId(), Duration.ofSeconds(5));

    Registration again = registry.register(TestRequests.request("greeter", "greeter-1"));

    assertThat(again.leaseId()).isEqualTo(registration.leaseId());
    assertThat(again.revision()).isEqualTo(3);
    clock.forward(6, SECONDS);
    assertThat(instances("greeter")).singleElement()
        .satisfies(instance -> assertThat(instance.getHealth()).isEqualTo(HealthStatus.SERVING));
    assertThat(registry.renew(registration.leaseId(), HealthStatus.SERVING).outcome())
        .isEqualTo(Renewal.Outcome.RENEWED);
  }

  @Test
  void register_otherNodeWhileDraining_supersedesTheDrainingLease() throws Exception {
    Registration old = registry.register(TestRequests.request(instance(), "node-a"));
    registry.deregister(old.leaseId(), Duration.ofSeconds(5));

    Registration taken = registry.register(TestRequests.request(instance(), "node-b"));

    assertThat(leaseEvents).containsExactly(old.leaseId() + " SUPERSEDED");
    clock.forward(6, SECONDS);
    assertThat(instances("greeter")).singleElement()
        .satisfies(instance -> assertThat(instance.getHealth()).isEqualTo(HealthStatus.SERVING));
    assertThat(registry.renew(taken.leaseId(), HealthStatus.SERVING).outcome())
        .isEqualTo(Renewal.Outcome.RENEWED);
  }

  @Test
  void renew_healthChange_isARealChange_andSameHealthIsNot() throws Exception {
    Registration registration = registry.register(TestRequests.request("greeter", "greeter-1"));

    registry.renew(registration.leaseId(), HealthStatus.NOT_SERVING);
    registry.renew(registration.leaseId(), HealthStatus.NOT_SERVING);
    registry.renew(registration.leaseId(), HealthStatus.HEALTH_STATUS_UNSPECIFIED);

    assertThat(changes).hasSize(2);
    assertThat(changes.get(1).changedServices()).containsExactly("greeter");
    assertThat(changes.get(1).changedRoutes()).isEmpty();
    assertThat(instances("greeter")).singleElement()
        .satisfies(i -> assertThat(i.getHealth()).isEqualTo(HealthStatus.NOT_SERVING));
    registry.renew(registration.leaseId(), HealthStatus.SERVING);
    assertThat(changes).hasSize(3);
  }

  @Test
  void renew_cannotChangeHealthOfDrainingInstance() throws Exception {
    Registration registration = registry.register(TestRequests.request("greeter", "greeter-1"));
    registry.deregister(registration.leaseId(), Duration.ofSeconds(5));

    Renewal renewal = registry.renew(registration.leaseId(), HealthStatus.SERVING);

    assertThat(renewal.outcome()).isEqualTo(Renewal.Outcome.DRAINING);
    assertThat(changes).hasSize(2);
    assertThat(instances("greeter")).singleElement()
        .satisfies(i -> assertThat(i.getHealth()).isEqualTo(HealthStatus.DRAINING));
    assertThatThrownBy(() -> registry.renew(registration.leaseId(), HealthStatus.DRAINING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("health: DRAINING");
  }

  @Test
  void leases_showNodeTtlTimeLeftAndState() throws Exception {
    Registration a = registry.register(TestRequests.request("greeter", "greeter-1"));
    Registration b = registry.register(TestRequests.request("echo", "echo-1"));
    clock.forward(4, SECONDS);
    registry.deregister(b.leaseId(), Duration.ofSeconds(20));
    clock.forward(1, SECONDS);

    assertThat(registry.leases())
        .containsExactly(
            new LeaseView(
                b.leaseId(),
                "echo",
                "echo-1",
                "node-echo-1",
                Duration.ofSeconds(10),
                Duration.ofSeconds(19),
                LeaseView.State.DRAINING),
            new LeaseView(
                a.leaseId(),
                "greeter",
                "greeter-1",
                "node-greeter-1",
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                LeaseView.State.ACTIVE));
  }

  @Test
  void metrics_countInstancesByHealth_revisionChangesAndExpiries() throws Exception {
    Registration a = registry.register(TestRequests.request("greeter", "greeter-1"));
    Registration b = registry.register(TestRequests.request("greeter", "greeter-2"));
    registry.register(TestRequests.request("greeter", "greeter-3"));
    registry.renew(b.leaseId(), HealthStatus.NOT_SERVING);
    registry.deregister(a.leaseId(), Duration.ofSeconds(60));

    assertThat(gauge("weft_registry_instances", "serving")).isEqualTo(1);
    assertThat(gauge("weft_registry_instances", "not_serving")).isEqualTo(1);
    assertThat(gauge("weft_registry_instances", "draining")).isEqualTo(1);
    assertThat(meters.get("weft_registry_revision").gauge().value()).isEqualTo(5);
    assertThat(meters.counter("weft_registry_changes_total").count()).isEqualTo(5);

    clock.forward(10, SECONDS);

    assertThat(gauge("weft_registry_instances", "serving")).isZero();
    assertThat(gauge("weft_registry_instances", "not_serving")).isZero();
    assertThat(gauge("weft_registry_instances", "draining")).isEqualTo(1);
    assertThat(meters.counter("weft_leases_expired_total").count()).isEqualTo(2);
    assertThat(meters.get("weft_registry_revision").gauge().value()).isEqualTo(7);
    assertThat(meters.get("weft_registry_self_preservation").gauge().value()).isZero();
  }

  private double gauge(String name, String health) {
    return meters.get(name).tag("health", health).gauge().value();
  }

  private List<Instance> instances(String service) {
    return registry.snapshot().service(service).instances();
  }

  private static Instance instance() {
    return TestRequests.instance("greeter", "greeter-1");
  }

  private static void assertInvalid(ThrowingCall call, String expected) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains(expected);
            });
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws Exception;
  }
}
