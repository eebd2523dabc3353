package io.weft.sidecar.resolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.ServiceEndpoints;
import io.weft.sidecar.balancer.ClusterStats;
import io.weft.sidecar.balancer.ClusterStats.EndpointSnapshot;
import io.weft.sidecar.balancer.MeshCallOptions;
import io.weft.sidecar.balancer.MeshServiceConfig;
import io.weft.sidecar.balancer.MeshServiceConfig.RetryPolicy;
import io.weft.sidecar.balancer.PickedUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real channel {@code mesh:///svc} built by {@link MeshChannels} over three real Netty servers
 * on loopback, fed by a fake endpoint source; the default service config (outlier detection
 * around {@code weft_mesh}) is in effect throughout.
 */
class MeshChannelsIntegrationTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final FakeEndpointSource source = new FakeEndpointSource();
  private final ClusterStats stats = new ClusterStats();
  private final AtomicBoolean failedOnce = new AtomicBoolean();
  private final List<WhoAmIServer> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void startServers() throws Exception {
    for (String id : List.of("s1", "s2", "s3")) {
      servers.add(new WhoAmIServer(id, failedOnce));
    }
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
      assertThat(channel.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    for (WhoAmIServer server : servers) {
      server.stop();
    }
  }

  @Test
  void calls_spreadEvenlyAcrossEveryInstance() {
    ManagedChannel channel = connectedChannel(MeshServiceConfig.defaults(), "s1", "s2", "s3");

    Map<String, Integer> counts = callCounts(channel, 300);

    assertThat(counts).containsOnlyKeys("s1", "s2", "s3");
    assertThat(counts.values()).allSatisfy(count -> assertThat(count).isBetween(80, 120));
  }

  @Test
  void pushedRemoval_stopsTrafficToTheInstance() {
    ManagedChannel channel = connectedChannel(MeshServiceConfig.defaults(), "s1", "s2", "s3");

    source.push(endpoints(2, instance(0, HealthStatus.SERVING), instance(1, HealthStatus.SERVING)));
    await().atMost(WAIT).until(() -> endpointsOf().size() == 2);

    assertThat(callCounts(channel, 90)).containsOnlyKeys("s1", "s2");
  }

  @Test
  void drainingInstance_getsNoNewCallsButKeepsItsConnection() {
    ManagedChannel channel = connectedChannel(MeshServiceConfig.defaults(), "s1", "s2", "s3");

    source.push(endpoints(2, instance(0, HealthStatus.SERVING),
        instance(1, HealthStatus.DRAINING), instance(2, HealthStatus.SERVING)));
    await().atMost(WAIT).until(() -> endpointsOf().stream()
        .anyMatch(e -> e.instanceId().equals("s2") && e.health() == HealthStatus.DRAINING));

    assertThat(callCounts(channel, 90)).containsOnlyKeys("s1", "s3");
    assertThat(endpointsOf()).filteredOn(e -> e.instanceId().equals("s2"))
        .extracting(EndpointSnapshot::state).containsExactly(ConnectivityState.READY);
  }

  @Test
  void pickedUpstream_namesTheInstanceThatServedTheCall() {
    ManagedChannel channel = connectedChannel(MeshServiceConfig.defaults(), "s1", "s2", "s3");
    PickedUpstream picked = new PickedUpstream();

    String servedBy = ClientCalls.blockingUnaryCall(channel, WhoAmIServer.WHO_AM_I,
        callOptions().withOption(MeshCallOptions.PICKED_UPSTREAM, picked), "hi");

    assertThat(picked.describe()).isEqualTo("svc/" + servedBy);
  }

  @Test
  void serviceConfigTimeout_appliesToCallsWithoutDeadline() {
    ManagedChannel channel = connectedChannel(
        MeshServiceConfig.builder().timeout(Duration.ofMillis(300)).build(), "s1", "s2", "s3");

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(
            channel, WhoAmIServer.HANG, CallOptions.DEFAULT, "hi"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
  }

  @Test
  void serviceConfigRetry_retriesUnavailable() {
    ManagedChannel channel = connectedChannel(
        MeshServiceConfig.builder().retryPolicy(RetryPolicy.defaults()).build(), "s1", "s2", "s3");

    String servedBy = ClientCalls.blockingUnaryCall(
        channel, WhoAmIServer.FAIL_ONCE, callOptions(), "hi");

    assertThat(failedOnce).isTrue();
    assertThat(servedBy).isIn("s1", "s2", "s3");
  }

  @Test
  void withoutRetry_unavailableReachesTheCaller() {
    ManagedChannel channel = connectedChannel(MeshServiceConfig.defaults(), "s1", "s2", "s3");

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(
            channel, WhoAmIServer.FAIL_ONCE, callOptions(), "hi"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
            assertThat(e.getStatus().getDescription()).isEqualTo("first call fails"));
  }

  @Test
  void serviceWithoutInstances_failsFastNamingTheService() {
    MeshChannels meshChannels = new MeshChannels(
        source, stats, MeshServiceConfig.defaults(), MeshChannels.DEFAULT_MAX_INBOUND_MESSAGE_SIZE);
    ManagedChannel channel = track(meshChannels.newChannel("svc"));
    source.push(endpoints(1));

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(
            channel, WhoAmIServer.WHO_AM_I, callOptions(), "hi"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).startsWith("svc: no endpoints");
        });
  }

  @Test
  void badServiceName_refused() {
    MeshChannels meshChannels = new MeshChannels(
        source, stats, MeshServiceConfig.defaults(), MeshChannels.DEFAULT_MAX_INBOUND_MESSAGE_SIZE);

    assertThatThrownBy(() -> meshChannels.newChannel("Not A Service"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("service: \"Not A Service\" (expected: a DNS-1123 label");
  }

  /** A channel to "svc" with every server registered, once every one is READY. */
  private ManagedChannel connectedChannel(MeshServiceConfig config, String... ids) {
    MeshChannels meshChannels = new MeshChannels(
        source, stats, config, MeshChannels.DEFAULT_MAX_INBOUND_MESSAGE_SIZE);
    ManagedChannel channel = track(meshChannels.newChannel("svc"));
    List<Instance> instances = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      instances.add(instance(i, HealthStatus.SERVING));
    }
    source.push(endpoints(1, instances.toArray(Instance[]::new)));
    channel.getState(true);
    await().atMost(WAIT).until(() -> endpointsOf().size() == ids.length
        && endpointsOf().stream().allMatch(e -> e.state() == ConnectivityState.READY));
    return channel;
  }

  private ManagedChannel track(ManagedChannel channel) {
    channels.add(channel);
    return channel;
  }

  private Map<String, Integer> callCounts(ManagedChannel channel, int calls) {
    return callCounts(channel, WhoAmIServer.WHO_AM_I, calls);
  }

  private Map<String, Integer> callCounts(
      ManagedChannel channel, MethodDescriptor<String, String> method, int calls) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < calls; i++) {
      counts.merge(ClientCalls.blockingUnaryCall(channel, method, callOptions(), "hi"), 1,
          Integer::sum);
    }
    return counts;
  }

  private static CallOptions callOptions() {
    return CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private List<EndpointSnapshot> endpointsOf() {
    return stats.snapshot().stream()
        .filter(s -> s.service().equals("svc"))
        .flatMap(s -> s.endpoints().stream())
        .toList();
  }

  private Instance instance(int index, HealthStatus health) {
    WhoAmIServer server = servers.get(index);
    return Instance.newBuilder()
        .setService("svc")
        .setInstanceId(server.id())
        .setAddress("127.0.0.1")
        .setPort(server.port())
        .setWeight(100)
        .setHealth(health)
        .build();
  }

  private static ServiceEndpoints endpoints(long revision, Instance... instances) {
    return FakeEndpointSource.endpoints("svc", revision, instances);
  }
}
