package io.weft.sidecar.resolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolver.ResolutionResult;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.sidecar.balancer.ClusterStats;
import io.weft.sidecar.balancer.MeshAttributes;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeshNameResolverTest {

  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private final SynchronizationContext syncContext = new SynchronizationContext(
      (thread, error) -> {
        uncaught.add(error);
        throw new AssertionError("uncaught in the synchronization context", error);
      });
  private final FakeEndpointSource source = new FakeEndpointSource();
  private final ClusterStats clusterStats = new ClusterStats();
  private final FakeListener listener = new FakeListener();
  private final MeshNameResolver resolver =
      new MeshNameResolver("greeter", source, clusterStats, syncContext);

  @AfterEach
  void noUncaughtErrors() {
    resolver.shutdown();
    assertThat(uncaught).isEmpty();
  }

  @Test
  void authority_isTheService() {
    assertThat(resolver.getServiceAuthority()).isEqualTo("greeter");
  }

  @Test
  void update_becomesOneGroupPerInstanceWithItsAttributes() {
    resolver.start(listener);

    source.push(FakeEndpointSource.endpoints("greeter", 7,
        instance("g1", "10.0.0.1", 8080).setZone("a").setWeight(300).build(),
        instance("g2", "10.0.0.2", 8081).setHealth(HealthStatus.DRAINING).setWeight(0).build()));

    assertThat(listener.results).hasSize(1);
    ResolutionResult result = listener.results.get(0);
    assertThat(result.getAttributes().get(MeshAttributes.SERVICE)).isEqualTo("greeter");
    assertThat(result.getAttributes().get(MeshAttributes.CLUSTER_STATS)).isSameAs(clusterStats);
    List<EquivalentAddressGroup> groups = result.getAddressesOrError().getValue();
    assertThat(groups).hasSize(2);
    assertThat(groups.get(0).getAddresses())
        .containsExactly(new InetSocketAddress("10.0.0.1", 8080));
    assertThat(groups.get(0).getAttributes().get(MeshAttributes.INSTANCE_ID)).isEqualTo("g1");
    assertThat(groups.get(0).getAttributes().get(MeshAttributes.ZONE)).isEqualTo("a");
    assertThat(groups.get(0).getAttributes().get(MeshAttributes.WEIGHT)).isEqualTo(300);
    assertThat(groups.get(0).getAttributes().get(MeshAttributes.HEALTH))
        .isEqualTo(HealthStatus.SERVING);
    assertThat(groups.get(1).getAttributes().get(MeshAttributes.HEALTH))
        .isEqualTo(HealthStatus.DRAINING);
    assertThat(groups.get(1).getAttributes().get(MeshAttributes.WEIGHT)).isEqualTo(100);
  }

  @Test
  void dnsName_leftForTheTransportToResolve() {
    resolver.start(listener);

    source.push(FakeEndpointSource.endpoints("greeter", 1,
        instance("g1", "greeter-1.mesh.internal", 8080).build()));

    InetSocketAddress address = (InetSocketAddress)
        listener.results.get(0).getAddressesOrError().getValue().get(0).getAddresses().get(0);
    assertThat(address.isUnresolved()).isTrue();
    assertThat(address.getHostString()).isEqualTo("greeter-1.mesh.internal");
  }

  @Test
  void unusableInstance_skippedOthersKept() {
    resolver.start(listener);

    source.push(FakeEndpointSource.endpoints("greeter", 1,
        instance("bad-port", "10.0.0.1", 0).build(),
        instance("no-address", "", 8080).build(),
        instance("good", "10.0.0.3", 8080).build()));

    assertThat(listener.results.get(0).getAddressesOrError().getValue())
        .extracting(g -> g.getAttributes().get(MeshAttributes.INSTANCE_ID))
        .containsExactly("good");
  }

  @Test
  void heldEndpoints_deliveredOnStart() {
    source.push(FakeEndpointSource.endpoints("greeter", 3, instance("g1", "10.0.0.1", 80).build()));

    resolver.start(listener);

    assertThat(listener.results).hasSize(1);
  }

  @Test
  void errorBeforeAnyEndpoints_reachesTheChannel() {
    resolver.start(listener);

    source.fail("greeter", Status.UNAVAILABLE.withDescription("control plane unreachable"));

    assertThat(listener.errors).hasSize(1);
    assertThat(listener.errors.get(0).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(listener.errors.get(0).getDescription()).isEqualTo(
        "mesh:///greeter: no endpoint set yet: UNAVAILABLE: control plane unreachable");
  }

  @Test
  void errorAfterEndpoints_isAmbientAndKeepsThem() {
    resolver.start(listener);
    source.push(FakeEndpointSource.endpoints("greeter", 1, instance("g1", "10.0.0.1", 80).build()));

    source.fail("greeter", Status.UNAVAILABLE);

    assertThat(listener.errors).isEmpty();
    assertThat(listener.results).hasSize(1);
  }

  @Test
  void emptySet_deliveredAsAnEmptyList() {
    resolver.start(listener);
    listener.answer = Status.UNAVAILABLE.withDescription("greeter: no endpoints");

    source.push(FakeEndpointSource.endpoints("greeter", 2));

    assertThat(listener.results.get(0).getAddressesOrError().getValue()).isEmpty();
  }

  @Test
  void refusedUpdate_laterUpdatesStillDelivered() {
    resolver.start(listener);
    listener.answer = Status.UNAVAILABLE.withDescription("refused");
    source.push(FakeEndpointSource.endpoints("greeter", 1, instance("g1", "10.0.0.1", 80).build()));
    listener.answer = Status.OK;

    source.push(FakeEndpointSource.endpoints("greeter", 2, instance("g2", "10.0.0.2", 80).build()));

    assertThat(listener.results).hasSize(2);
  }

  @Test
  void refresh_doesNothing() {
    resolver.start(listener);
    source.push(FakeEndpointSource.endpoints("greeter", 1, instance("g1", "10.0.0.1", 80).build()));

    syncContext.execute(resolver::refresh);

    assertThat(listener.results).hasSize(1);
    assertThat(source.openWatches("greeter")).isEqualTo(1);
  }

  @Test
  void shutdown_closesTheWatchAndDropsLaterCalls() {
    resolver.start(listener);

    resolver.shutdown();
    resolver.shutdown();

    assertThat(source.openWatches("greeter")).isZero();
    assertThat(source.closedWatches()).isEqualTo(1);
  }

  @Test
  void callbackAfterShutdown_ignored() {
    resolver.start(listener);
    resolver.shutdown();

    // an update and an error already on their way when the channel shut the resolver down
    source.lastWatcher("greeter").onUpdate(
        FakeEndpointSource.endpoints("greeter", 1, instance("g1", "10.0.0.1", 80).build()));
    source.lastWatcher("greeter").onError(Status.UNAVAILABLE);

    assertThat(listener.results).isEmpty();
    assertThat(listener.errors).isEmpty();
  }

  @Test
  void start_twiceRefused() {
    resolver.start(listener);

    assertThatThrownBy(() -> resolver.start(listener))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("mesh:///greeter: already started");
  }

  private static Instance.Builder instance(String id, String address, int port) {
    return Instance.newBuilder()
        .setService("greeter")
        .setInstanceId(id)
        .setAddress(address)
        .setPort(port)
        .setWeight(100)
        .setHealth(HealthStatus.SERVING);
  }

  /** Records what the resolver reports; every call must come in the synchronization context. */
  private final class FakeListener extends NameResolver.Listener2 {
    final List<ResolutionResult> results = new ArrayList<>();
    final List<Status> errors = new ArrayList<>();
    Status answer = Status.OK;

    @Override
    public Status onResult2(ResolutionResult result) {
      syncContext.throwIfNotInThisSynchronizationContext();
      results.add(result);
      return answer;
    }

    @Override
    public void onResult(ResolutionResult result) {
      throw new AssertionError("the resolver must call onResult2 from the synchronization context");
    }

    @Override
    public void onError(Status error) {
      errors.add(error);
    }
  }
}
