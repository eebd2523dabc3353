package io.weft.controlplane.discovery;

import static io.weft.controlplane.discovery.FakeRegistry.instance;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.controlplane.registry.RegistryChange;
import io.weft.controlplane.registry.RegistrySnapshot;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.ServiceEndpoints;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResourceCacheTest {

  private final FakeRegistry registry = new FakeRegistry();
  private final ResourceCache cache = new ResourceCache(RegistrySnapshot.EMPTY);

  @Test
  void resources_areBuiltOncePerRevisionAndShared() {
    registry.addListener(cache::accept);
    registry.register(instance("greeter", "g1", "helloworld.Greeter"));
    RegistrySnapshot first = cache.latest();
    registry.register(instance("billing", "b1"));
    RegistrySnapshot second = cache.latest();

    assertThat(cache.service(second, "greeter")).isSameAs(cache.service(first, "greeter"));
    assertThat(cache.route(second, "helloworld.Greeter"))
        .isSameAs(cache.route(first, "helloworld.Greeter"));
    assertThat(cache.service(second, "greeter").getRevision()).isEqualTo(1);
  }

  @Test
  void emptiedResources_carryTheRevisionTheyBecameEmptyAt() {
    registry.addListener(cache::accept);
    registry.register(instance("greeter", "g1", "helloworld.Greeter"));
    long removed = registry.remove("greeter", "g1");

    assertThat(cache.service(cache.latest(), "greeter"))
        .isEqualTo(ServiceEndpoints.newBuilder().setService("greeter").setRevision(removed).build());
    assertThat(cache.route(cache.latest(), "helloworld.Greeter"))
        .isEqualTo(
            GrpcRoute.newBuilder()
                .setGrpcService("helloworld.Greeter")
                .setRevision(removed)
                .build());
    assertThat(cache.service(cache.latest(), "never"))
        .isEqualTo(ServiceEndpoints.newBuilder().setService("never").build());
  }

  @Test
  void latest_neverGoesBackwards() {
    registry.register(instance("greeter", "g1"));
    RegistrySnapshot older = registry.snapshot();
    registry.register(instance("greeter", "g2"));
    RegistrySnapshot newer = registry.snapshot();

    cache.accept(new RegistryChange(newer, Set.of("greeter"), Set.of()));
    cache.accept(new RegistryChange(older, Set.of("greeter"), Set.of()));

    assertThat(cache.latest()).isSameAs(newer);
  }
}
