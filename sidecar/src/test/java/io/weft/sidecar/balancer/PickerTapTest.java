package io.weft.sidecar.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.LoadBalancer.FixedResultPicker;
import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.SubchannelPicker;
import io.grpc.LoadBalancerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver.ConfigOrError;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The picker tap and the {@code weft_picker_tap} policy that publishes to it. */
class PickerTapTest {

  private static final SubchannelPicker NO_RESULT =
      new FixedResultPicker(PickResult.withNoResult());
  private static final SubchannelPicker FAILING =
      new FixedResultPicker(PickResult.withError(Status.UNAVAILABLE));

  @Test
  void waiter_runsOnceAtTheNextPicker() {
    PickerTap tap = new PickerTap();
    AtomicInteger woken = new AtomicInteger();
    tap.whenChangedFrom(null, woken::incrementAndGet);
    assertThat(woken.get()).isZero();

    tap.publish(NO_RESULT);
    tap.publish(FAILING);

    assertThat(woken.get()).isEqualTo(1);
    assertThat(tap.picker()).isSameAs(FAILING);
  }

  @Test
  void waiter_runsAtOnce_whenThePickerItSawIsGone() {
    PickerTap tap = new PickerTap();
    tap.publish(FAILING);
    AtomicInteger woken = new AtomicInteger();

    tap.whenChangedFrom(NO_RESULT, woken::incrementAndGet);

    assertThat(woken.get()).isEqualTo(1);
  }

  @Test
  void stoppedBalancer_leavesNoPicker_andAConnectionRequestStartsIt() {
    PickerTap tap = new PickerTap();
    AtomicInteger requests = new AtomicInteger();
    tap.connectWith(requests::incrementAndGet);
    tap.publish(FAILING);

    tap.balancerStopped();
    tap.requestConnection();

    assertThat(tap.picker()).isNull();
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void policyConfig_needsAListOfKnownChildPolicies() {
    var provider = new PickerTapLoadBalancerProvider();

    assertThat(provider.parseLoadBalancingPolicyConfig(
        Map.of("childPolicy", List.of(Map.of("pick_first", Map.of())))).getConfig())
        .isNotNull();
    ConfigOrError missing = provider.parseLoadBalancingPolicyConfig(Map.of());
    assertThat(missing.getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(missing.getError().getDescription())
        .isEqualTo("weft_picker_tap config: childPolicy: null"
            + " (expected: a non-empty list of policies)");
    ConfigOrError unknown = provider.parseLoadBalancingPolicyConfig(
        Map.of("childPolicy", List.of(Map.of("no_such_policy", Map.of()))));
    assertThat(unknown.getError().getDescription())
        .startsWith("weft_picker_tap config: childPolicy: ");
  }

  @Test
  void policy_isRegistered_andTappedConfigsWrapThePolicies() {
    assertThat(LoadBalancerRegistry.getDefaultRegistry()
        .getProvider(PickerTapLoadBalancerProvider.POLICY_NAME)).isNotNull();
    Map<String, ?> config = Map.of(
        "loadBalancingConfig", List.of(Map.of("pick_first", Map.of())),
        "methodConfig", List.of());

    assertThat(PickerTapLoadBalancerProvider.tapped(config)).isEqualTo(Map.of(
        "loadBalancingConfig", List.of(Map.of("weft_picker_tap",
            Map.of("childPolicy", List.of(Map.of("pick_first", Map.of()))))),
        "methodConfig", List.of()));
  }

  @Test
  void channel_publishesItsBalancersPickers_toTheTapInItsResolverArgs() throws Exception {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .build().start();
    PickerTap tap = new PickerTap();
    ManagedChannel channel = Grpc.newChannelBuilder(
            "127.0.0.1:" + server.getPort(), InsecureChannelCredentials.create())
        .defaultServiceConfig(PickerTapLoadBalancerProvider.tapped(
            Map.of("loadBalancingConfig", List.of(Map.of("pick_first", Map.of())))))
        .setNameResolverArg(PickerTap.KEY, tap)
        .build();
    try {
      tap.connectWith(() -> channel.getState(true));
      tap.requestConnection();

      await().atMost(Duration.ofSeconds(20))
          .until(() -> tap.picker() != null
              && tap.picker().pickSubchannel(new PickArgs()).getSubchannel() != null);
      channel.shutdownNow();
      await().atMost(Duration.ofSeconds(20)).until(() -> tap.picker() == null);
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
      channel.awaitTermination(10, TimeUnit.SECONDS);
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
