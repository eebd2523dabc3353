package io.weft.sidecar.discovery;

import static io.weft.sidecar.discovery.TestResources.NODE;
import static io.weft.sidecar.discovery.TestResources.instance;
import static io.weft.sidecar.discovery.TestResources.response;
import static io.weft.sidecar.discovery.TestResources.route;
import static io.weft.sidecar.discovery.TestResources.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.weft.common.BackoffOptions;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.KnownService;
import io.weft.mesh.v1.ServiceEndpoints;
import io.weft.sidecar.discovery.FakeDiscoveryService.FakeStream;
import io.weft.testing.FakeClock;
import io.weft.testing.FixedRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Losing the control plane: static stability, backoff timing on the fake clock, re-subscription.
 * The random is fixed so that every delay is +10 % of its base (jitter 0.2 * (2 * 0.75 - 1)).
 */
class DiscoveryClientReconnectTest {

  private static final long MS = 1_000_000;

  private final FakeClock clock = new FakeClock();
  private final ErrorLogGuard errorLog = new ErrorLogGuard();
  private FakeControlPlane controlPlane;
  private DiscoveryClient client;

  @BeforeEach
  void setUp() throws Exception {
    controlPlane = new FakeControlPlane();
    client =
        new DiscoveryClient(
            controlPlane.channel,
            NODE,
            clock.ticker(),
            clock.scheduler(),
            FixedRandom.of(0.75),
            BackoffOptions.DEFAULT);
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    await().atMost(Duration.ofSeconds(20)).until(() -> clock.pendingTaskCount() == 0);
    controlPlane.close();
    errorLog.close();
  }

  /** Waits until the client has scheduled its reconnection and returns the delay. */
  private long awaitRetryDelayNanos() {
    await().atMost(Duration.ofSeconds(20)).until(() -> clock.pendingTaskCount() == 1);
    return clock.nanosUntilNextTask();
  }

  @Test
  void lostStream_keepsData_andErrorsOnlyNamesWithoutData() throws Exception {
    RecordingWatcher<ServiceEndpoints> alpha = new RecordingWatcher<>();
    RecordingWatcher<ServiceEndpoints> beta = new RecordingWatcher<>();
    RecordingWatcher<GrpcRoute> route = new RecordingWatcher<>();
    client.watchService("alpha", alpha);
    FakeStream stream = controlPlane.service.awaitStream();
    stream.awaitRequest();
    client.watchService("beta", beta);
    stream.awaitRequest();
    client.watchRoute("helloworld.Greeter", route);
    stream.awaitRequest();
    ServiceEndpoints alpha1 = service("alpha", 1, instance("alpha", "a-1", 1),
        instance("alpha", "a-2", 2));
    stream.send(response("1", "n1", alpha1));
    stream.awaitRequest();

    stream.fail(Status.UNAVAILABLE.withDescription("control plane restarting"));

    Status betaError = beta.awaitErrors(1);
    assertThat(betaError.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(betaError.getDescription())
        .contains("127.0.0.1", "sidecar-1", "control plane restarting");
    assertThat(route.awaitErrors(1).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    awaitRetryDelayNanos();
    assertThat(alpha.updates).containsExactly(alpha1);
    assertThat(alpha.errors).isEmpty();
    await().atMost(Duration.ofSeconds(20)).until(() -> !client.dump().connected());
    assertThat(client.dump().services()).containsExactly(Map.entry("alpha", alpha1));
    assertThat(client.isSubscribed()).isFalse();
  }

  @Test
  void reconnectedStream_resubscribesEveryName_withHeldInstanceIds() throws Exception {
    RecordingWatcher<ServiceEndpoints> alpha = new RecordingWatcher<>();
    RecordingWatcher<ServiceEndpoints> beta = new RecordingWatcher<>();
    client.watchService("alpha", alpha);
    FakeStream stream = controlPlane.service.awaitStream();
    stream.awaitRequest();
    client.watchService("beta", beta);
    stream.awaitRequest();
    client.watchRoute("helloworld.Greeter", new RecordingWatcher<>());
    stream.awaitRequest();
    stream.send(response("1", "n1", service("alpha", 1, instance("alpha", "a-1", 1),
        instance("alpha", "a-2", 2))));
    stream.awaitRequest();
    stream.fail(Status.UNAVAILABLE);

    long delay = awaitRetryDelayNanos();
    assertThat(delay).isEqualTo(110 * MS);
    clock.forward(delay, TimeUnit.NANOSECONDS);

    FakeStream reconnected = controlPlane.service.awaitStream();
    assertThat(reconnected.awaitRequest())
        .isEqualTo(
            DiscoveryRequest.newBuilder()
                .setNode(NODE)
                .addServiceNamesSubscribe("alpha")
                .addServiceNamesSubscribe("beta")
                .addRouteNamesSubscribe("helloworld.Greeter")
                .putInitialServiceState(
                    "alpha", KnownService.newBuilder().addInstanceIds("a-1").addInstanceIds("a-2")
                        .build())
                .build());

    ServiceEndpoints alpha2 = service("alpha", 1, instance("alpha", "a-1", 1));
    ServiceEndpoints beta1 = service("beta", 1, instance("beta", "b-1", 1));
    reconnected.send(response("1", "m1", List.of(alpha2, beta1),
        List.of(route("helloworld.Greeter", 1, "alpha"))));
    assertThat(reconnected.awaitRequest())
        .isEqualTo(DiscoveryRequest.newBuilder().setResponseNonce("m1").setVersionInfo("1")
            .build());
    assertThat(alpha.awaitUpdates(2)).isEqualTo(alpha2);
    assertThat(beta.awaitUpdates(1)).isEqualTo(beta1);
    await().atMost(Duration.ofSeconds(20)).until(client::isSubscribed);
    assertThat(client.dump().counts().reconnects()).isEqualTo(1);
  }

  @Test
  void refusedStreams_retryAfterExactBackoff_growingBy1point6_cappedAt5s() throws Exception {
    controlPlane.service.refuseStreamsWith(Status.UNAVAILABLE.withDescription("not yet"));
    RecordingWatcher<ServiceEndpoints> watcher = new RecordingWatcher<>();
    client.watchService("greeter", watcher);
    double[] expectedMillis = {110, 176, 281.6, 450.56, 720.896, 1153.4336, 1845.49376,
        2952.790016, 4724.4640256, 5000, 5000};

    for (double expected : expectedMillis) {
      controlPlane.service.awaitStream();
      long delay = awaitRetryDelayNanos();
      assertThat(delay).isCloseTo((long) (expected * MS), within(1_000L));
      clock.forward(delay, TimeUnit.NANOSECONDS);
    }

    controlPlane.service.awaitStream();
    awaitRetryDelayNanos();
    assertThat(watcher.updates).isEmpty();
    assertThat(watcher.errors).isNotEmpty().allMatch(s -> s.getCode() == Status.Code.UNAVAILABLE);
    await().atMost(Duration.ofSeconds(20))
        .until(() -> client.dump().counts().reconnects() == expectedMillis.length);
  }

  @Test
  void backoff_startsAgainAfterAResponse() throws Exception {
    controlPlane.service.refuseStreamsWith(Status.UNAVAILABLE);
    client.watchService("greeter", new RecordingWatcher<>());
    controlPlane.service.awaitStream();
    long first = awaitRetryDelayNanos();
    assertThat(first).isEqualTo(110 * MS);
    clock.forward(first, TimeUnit.NANOSECONDS);
    controlPlane.service.awaitStream();
    long second = awaitRetryDelayNanos();
    assertThat(second).isEqualTo(176 * MS);

    controlPlane.service.refuseStreamsWith(null);
    clock.forward(second, TimeUnit.NANOSECONDS);
    FakeStream stream = controlPlane.service.awaitStream();
    stream.awaitRequest();
    stream.send(response("1", "n1", service("greeter", 1, instance("greeter", "g-1", 1))));
    stream.awaitRequest();
    stream.fail(Status.UNAVAILABLE);

    assertThat(awaitRetryDelayNanos()).isEqualTo(110 * MS);
  }

  @Test
  void streamCompletedByControlPlane_isALoss_andReconnects() throws Exception {
    RecordingWatcher<ServiceEndpoints> watcher = new RecordingWatcher<>();
    client.watchService("greeter", watcher);
    FakeStream stream = controlPlane.service.awaitStream();
    stream.awaitRequest();
    stream.send(response("1", "n1", service("greeter", 1, instance("greeter", "g-1", 1))));
    stream.awaitRequest();

    stream.complete();

    clock.forward(awaitRetryDelayNanos(), TimeUnit.NANOSECONDS);
    DiscoveryRequest first = controlPlane.service.awaitStream().awaitRequest();
    assertThat(first.getServiceNamesSubscribeList()).containsExactly("greeter");
    assertThat(first.getInitialServiceStateMap()).containsOnlyKeys("greeter");
    assertThat(watcher.errors).isEmpty();
  }

  @Test
  void watchDuringBackoff_getsAmbientError_andIsSubscribedOnReconnect() throws Exception {
    client.watchService("alpha", new RecordingWatcher<>());
    FakeStream stream = controlPlane.service.awaitStream();
    stream.awaitRequest();
    stream.fail(Status.UNAVAILABLE);
    long delay = awaitRetryDelayNanos();

    RecordingWatcher<ServiceEndpoints> late = new RecordingWatcher<>();
    client.watchService("late", late);

    assertThat(late.awaitErrors(1).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    clock.forward(delay, TimeUnit.NANOSECONDS);
    DiscoveryRequest first = controlPlane.service.awaitStream().awaitRequest();
    assertThat(first.getServiceNamesSubscribeList()).containsExactly("alpha", "late");
  }

  @Test
  void close_duringBackoff_cancelsTheTimer_andNeverReconnects() throws Exception {
    client.watchService("alpha", new RecordingWatcher<>());
    FakeStream stream = controlPlane.service.awaitStream();
    stream.awaitRequest();
    stream.fail(Status.UNAVAILABLE);
    awaitRetryDelayNanos();

    client.close();

    await().atMost(Duration.ofSeconds(20)).until(() -> clock.pendingTaskCount() == 0);
    clock.forward(10, TimeUnit.SECONDS);
    assertThat(controlPlane.service.pendingStreams()).isZero();
  }
}
