package io.weft.sidecar.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.weft.sidecar.balancer.ClusterStats;
import io.weft.sidecar.balancer.MeshLoadBalancerConfig.Policy;
import io.weft.sidecar.balancer.MeshServiceConfig;
import io.weft.sidecar.resolver.MeshChannels;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MeshChannelPoolTest {

  private static final MeshServiceConfig LEAST_REQUEST =
      MeshServiceConfig.builder().policy(Policy.LEAST_REQUEST).build();

  private final MeshChannelPool pool = new MeshChannelPool(
      new MeshChannels(new FakeEndpointSource(), new ClusterStats(), MeshServiceConfig.defaults(),
          MeshChannels.DEFAULT_MAX_INBOUND_MESSAGE_SIZE),
      MeshServiceConfig.defaults(),
      Map.of("billing", LEAST_REQUEST));

  @AfterEach
  void tearDown() {
    pool.close();
  }

  @Test
  void channelFor_createsOneMeshChannelPerService_andKeepsIt() {
    Channel greeter = pool.channelFor("greeter");

    assertThat(pool.channelFor("greeter")).isSameAs(greeter);
    assertThat(greeter.authority()).isEqualTo("greeter");
    assertThat(pool.channelFor("billing")).isNotSameAs(greeter);
    assertThat(pool.services()).containsExactlyInAnyOrder("greeter", "billing");
  }

  @Test
  void configOf_isTheServicesOwn_orTheDefault() {
    assertThat(pool.configOf("billing")).isEqualTo(LEAST_REQUEST);
    assertThat(pool.configOf("greeter")).isEqualTo(MeshServiceConfig.defaults());
  }

  @Test
  void channelFor_aBadServiceName_isRefused() {
    assertThatThrownBy(() -> pool.channelFor("Not_A_Label"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Not_A_Label");
  }

  @Test
  void close_shutsEveryChannelDown_andRefusesNewOnes() {
    ManagedChannel greeter = (ManagedChannel) pool.channelFor("greeter");

    pool.close();

    assertThat(greeter.isShutdown()).isTrue();
    assertThatThrownBy(() -> pool.channelFor("billing"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("mesh channel pool is closed: no channel for billing");
  }
}
