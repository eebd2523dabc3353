package io.weft.controlplane.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.testing.FakeClock;
import io.weft.mesh.v1.RegisterRequest;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RegistryChangesTest {

  private final FakeClock clock = new FakeClock();
  private final Registry registry =
      new Registry(
          RegistryOptions.defaults(), clock.ticker(), clock.scheduler(), new SimpleMeterRegistry());
  private final List<RegistryChange> changes = Collections.synchronizedList(new ArrayList<>());

  RegistryChangesTest() {
    registry.addListener(changes::add);
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  @Test
  void revisions_increaseByOne_andListenersSeeEveryChangeInOrder() throws Exception {
    Registration a = registry.register(TestRequests.request("greeter", "greeter-1"));
    registry.register(TestRequests.request("echo", "echo-1"));
    registry.renew(a.leaseId(), HealthStatus.NOT_SERVING);
    registry.deregister(a.leaseId(), Duration.ofSeconds(5));
    registry.deregister(a.leaseId(), Duration.ZERO);

    assertThat(changes).extracting(RegistryChange::revision).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(changes)
        .extracting(RegistryChange::changedServices)
        .containsExactly(
            Set.of("greeter"),
            Set.of("echo"),
            Set.of("greeter"),
            Set.of("greeter"),
            Set.of("greeter"));
    assertThat(changes.get(4).snapshot().services()).containsOnlyKeys("echo");
    assertThat(changes.get(4).snapshot()).isSameAs(registry.snapshot());
    assertThat(registry.snapshot().service("echo").revision()).isEqualTo(2);
  }

  @Test
  void routes_followTheGrpcServicesInstancesServe() throws Exception {
    Instance greeter = TestRequests.instance("greeter", "greeter-1");
    Instance greeter2 =
        TestRequests.instance("greeter-v2", "g2-1").toBuilder().addGrpcServices("x.Admin").build();

    registry.register(TestRequests.request(greeter, "n1"));
    Registration g2 = registry.register(TestRequests.request(greeter2, "n2"));

    RegistrySnapshot snapshot = registry.snapshot();
    assertThat(snapshot.route("helloworld.Greeter").services())
        .containsExactly("greeter", "greeter-v2");
    assertThat(snapshot.route("helloworld.Greeter").revision()).isEqualTo(2);
    assertThat(snapshot.route("x.Admin").services()).containsExactly("greeter-v2");
    assertThat(changes.get(0).changedRoutes()).containsExactly("helloworld.Greeter");
    assertThat(changes.get(1).changedRoutes()).containsExactlyInAnyOrder(
        "helloworld.Greeter", "x.Admin");

    // A second instance of a service already on the route changes the service, not the route.
    registry.register(TestRequests.request(TestRequests.instance("greeter", "greeter-2"), "n3"));
    assertThat(changes.get(2).changedServices()).containsExactly("greeter");
    assertThat(changes.get(2).changedRoutes()).isEmpty();

    // Dropping a gRPC service from the only instance serving it removes the route.
    registry.register(
        TestRequests.request(greeter2.toBuilder().clearGrpcServices().addGrpcServices(
            "helloworld.Greeter").build(), "n2"));
    assertThat(changes.get(3).changedRoutes()).containsExactly("x.Admin");
    assertThat(registry.snapshot().routes()).doesNotContainKey("x.Admin");
    assertThat(registry.snapshot().route("x.Admin").services()).isEmpty();

    registry.deregister(g2.leaseId(), Duration.ZERO);
    assertThat(changes.get(4).changedRoutes()).containsExactly("helloworld.Greeter");
    assertThat(registry.snapshot().route("helloworld.Greeter").services())
        .containsExactly("greeter");
  }

  @Test
  void snapshot_listsInstancesSortedById_andIsImmutable() throws Exception {
    registry.register(TestRequests.request("greeter", "greeter-b"));
    registry.register(TestRequests.request("greeter", "greeter-c"));
    registry.register(TestRequests.request("greeter", "greeter-a"));

    RegistrySnapshot snapshot = registry.snapshot();

    assertThat(snapshot.service("greeter").instances())
        .extracting(Instance::getInstanceId)
        .containsExactly("greeter-a", "greeter-b", "greeter-c");
    assertThatThrownBy(() -> snapshot.services().remove("greeter"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> snapshot.service("greeter").instances().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> snapshot.routes().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    registry.register(TestRequests.request("greeter", "greeter-d"));
    assertThat(snapshot.service("greeter").instances()).hasSize(3);
    assertThat(snapshot.revision()).isEqualTo(3);
  }

  @Test
  void snapshot_sharesViewsOfUnchangedServices() throws Exception {
    registry.register(TestRequests.request("greeter", "greeter-1"));
    registry.register(TestRequests.request("echo", "echo-1"));
    RegistrySnapshot before = registry.snapshot();

    registry.register(TestRequests.request("greeter", "greeter-2"));

    RegistrySnapshot after = registry.snapshot();
    assertThat(after.service("echo")).isSameAs(before.service("echo"));
    assertThat(after.service("greeter")).isNotSameAs(before.service("greeter"));
    assertThat(after.services()).hasSize(2);
    assertThat(after).isNotEqualTo(before);
  }

  @Test
  void noOpChanges_areNotPublished() throws Exception {
    Registration registration = registry.register(TestRequests.request("greeter", "greeter-1"));

    registry.register(TestRequests.request("greeter", "greeter-1"));
    registry.renew(registration.leaseId(), HealthStatus.SERVING);
    registry.renew(registration.leaseId(), HealthStatus.HEALTH_STATUS_UNSPECIFIED);
    registry.renew("unknown", HealthStatus.SERVING);

    assertThat(changes).hasSize(1);
    assertThat(registry.snapshot().revision()).isEqualTo(1);
  }

  @Test
  void addListener_returnsTheSnapshotItsFirstChangeFollows() throws Exception {
    registry.register(TestRequests.request("greeter", "greeter-1"));
    List<RegistryChange> seen = new ArrayList<>();

    RegistrySnapshot start = registry.addListener(seen::add);
    registry.register(TestRequests.request("greeter", "greeter-2"));

    assertThat(start.revision()).isEqualTo(1);
    assertThat(seen).extracting(RegistryChange::revision).containsExactly(2L);
    registry.removeListener(seen::add);
  }

  @Test
  void removeListener_stopsDelivery() throws Exception {
    List<RegistryChange> seen = new ArrayList<>();
    RegistryListener listener = seen::add;
    registry.addListener(listener);
    registry.register(TestRequests.request("greeter", "greeter-1"));

    registry.removeListener(listener);
    registry.register(TestRequests.request("greeter", "greeter-2"));

    assertThat(seen).hasSize(1);
  }

  @Test
  void listener_runsOutsideTheLock_soAnotherThreadCanUseTheRegistry() throws Exception {
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      List<Integer> leaseCounts = new ArrayList<>();
      registry.addListener(
          change -> {
            Future<Integer> count = other.submit(() -> registry.leases().size());
            try {
              leaseCounts.add(count.get(10, TimeUnit.SECONDS));
            } catch (Exception e) {
              throw new AssertionError("the registry's lock was held while calling a listener", e);
            }
          });

      registry.register(TestRequests.request("greeter", "greeter-1"));

      assertThat(leaseCounts).containsExactly(1);
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void listener_thatThrows_doesNotStopOthers() throws Exception {
    List<Long> seen = new ArrayList<>();
    registry.addListener(
        change -> {
          throw new IllegalStateException("boom");
        });
    registry.addListener(change -> seen.add(change.revision()));

    registry.register(TestRequests.request("greeter", "greeter-1"));

    assertThat(seen).containsExactly(1L);
    assertThat(changes).hasSize(1);
  }

  @Test
  void listeners_runOneAtATimeInRevisionOrder_underConcurrentChanges() throws Exception {
    AtomicBoolean inside = new AtomicBoolean();
    List<Long> revisions = new CopyOnWriteArrayList<>();
    List<String> violations = new CopyOnWriteArrayList<>();
    registry.addListener(
        change -> {
          if (!inside.compareAndSet(false, true)) {
            violations.add("concurrent call at " + change.revision());
          }
          revisions.add(change.revision());
          inside.set(false);
        });
    int threads = 4;
    int perThread = 300;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    try {
                      registry.register(TestRequests.request("svc-" + thread, "i-" + i));
                    } catch (Exception e) {
                      throw new AssertionError(e);
                    }
                  }
                },
                pool));
      }
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    assertThat(violations).isEmpty();
    assertThat(revisions).hasSize(threads * perThread);
    for (int i = 0; i < revisions.size(); i++) {
      assertThat(revisions.get(i)).isEqualTo(i + 1L);
    }
    assertThat(registry.leases()).hasSize(threads * perThread);
  }

  /**
   * 10,000 instances across 1,000 services. Each change copies only its service's view, so the
   * memory allocated per registration stays small whatever the number of services (copying every
   * service per change would allocate some 40 KB each); that bound holds on any machine. The
   * wall-clock bound is loose because this machine is shared; unloaded it takes ~0.15 s.
   */
  @Test
  void register_tenThousandInstancesAcrossAThousandServices_copiesOnlyTheChangedService()
      throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    List<RegisterRequest> requests = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      requests.add(TestRequests.request("svc-" + (i % 1000), "instance-" + i));
    }
    Logger logger = (Logger) LoggerFactory.getLogger(Registry.class);
    Level level = logger.getLevel();
    logger.setLevel(Level.WARN);
    try {
      long bytesBefore = threads.getCurrentThreadAllocatedBytes();
      long start = System.nanoTime();
      for (RegisterRequest request : requests) {
        registry.register(request);
      }
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      long bytesPerRegistration =
          (threads.getCurrentThreadAllocatedBytes() - bytesBefore) / requests.size();

      assertThat(registry.snapshot().services()).hasSize(1000);
      assertThat(registry.snapshot().service("svc-7").instances()).hasSize(10);
      assertThat(registry.snapshot().revision()).isEqualTo(10_000);
      assertThat(changes).hasSize(10_000);
      assertThat(bytesPerRegistration).as("bytes allocated per registration").isLessThan(16_384);
      assertThat(elapsedMillis).as("milliseconds to register 10,000 instances").isLessThan(3000);
    } finally {
      logger.setLevel(level);
    }
  }
}
