package io.weft.controlplane.discovery;

import static io.weft.controlplane.discovery.FakeRegistry.instance;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.ServiceEndpoints;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Debounced coalescing of changes and latest-state-wins flow control. */
class DiscoveryCoalescingTest {

  private DiscoveryHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    harness = DiscoveryHarness.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void burstWithinDebounceWindow_isPushedOnceWithLatestState() throws Exception {
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("greeter", "marker");
    sidecar.next();

    long last = 0;
    for (int i = 1; i <= 5; i++) {
      last = harness.register(instance("greeter", "g" + i));
    }
    harness.passDebounce();
    DiscoveryResponse coalesced = sidecar.next();
    long marker = harness.register(instance("marker", "m1"));
    harness.passDebounce();
    DiscoveryResponse next = sidecar.next();

    assertThat(coalesced.getVersionInfo()).isEqualTo(Long.toString(last));
    assertThat(coalesced.getServicesList())
        .singleElement()
        .satisfies(s -> assertThat(s.getInstancesCount()).isEqualTo(5));
    assertThat(next.getVersionInfo()).isEqualTo(Long.toString(marker));
    assertThat(next.getServicesList())
        .extracting(ServiceEndpoints::getService)
        .containsExactly("marker");
  }

  @Test
  void debounceWindow_countsFromTheFirstChangeOfABurst() throws Exception {
    TestSidecar sidecar = harness.sidecar("a");
    sidecar.subscribe("greeter", "billing");
    sidecar.next();

    harness.register(instance("greeter", "g1"));
    harness.clock.forward(6, TimeUnit.MILLISECONDS);
    long last = harness.register(instance("billing", "b1"));
    harness.clock.forward(4, TimeUnit.MILLISECONDS);
    DiscoveryResponse response = sidecar.next();

    assertThat(response.getVersionInfo()).isEqualTo(Long.toString(last));
    assertThat(response.getServicesList())
        .extracting(ServiceEndpoints::getService)
        .containsExactlyInAnyOrder("greeter", "billing");
  }

  @Test
  void sidecarThatDoesNotRead_getsLatestStateInsteadOfAQueue() throws Exception {
    int changes = 200;
    TestSidecar fast = harness.sidecar("fast");
    TestSidecar slow = harness.slowSidecar("slow", 16 * 1024);
    fast.subscribe("big");
    slow.subscribe("big");
    fast.next();
    harness.awaitSidecar("slow", s -> s.pushes() == 1);

    long last = 0;
    for (int i = 1; i <= changes; i++) {
      last = harness.register(bigInstance(i));
      harness.passDebounce();
      assertThat(fast.next().getVersionInfo()).isEqualTo(Long.toString(last));
    }
    long pushedWhileNotReading = harness.sidecarStatus("slow").orElseThrow().pushes();
    slow.request(Integer.MAX_VALUE);
    String latest = Long.toString(last);
    DiscoveryHarness.awaitUpTo20Seconds()
        .until(() -> harness.sidecarStatus("slow").orElseThrow().lastSentVersion().equals(latest));
    DiscoveryResponse response = slow.next();
    while (!response.getVersionInfo().equals(latest)) {
      response = slow.next();
    }

    assertThat(pushedWhileNotReading).isLessThan(20);
    assertThat(slow.received()).isLessThan(30);
    assertThat(response.getServices(0).getInstances(0).getMetadataMap())
        .containsEntry("change", Integer.toString(changes));
  }

  private static Instance bigInstance(int change) {
    return instance("big", "big-1").toBuilder()
        .putMetadata("change", Integer.toString(change))
        .putMetadata("padding", "x".repeat(8 * 1024))
        .build();
  }
}
