package io.weft.sidecar.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.NameResolverRegistry;
import org.junit.jupiter.api.Test;

class DefaultSchemeTest {

  @Test
  void meshProvider_isRegistered_butDnsStaysTheDefaultScheme() {
    NameResolverRegistry registry = NameResolverRegistry.getDefaultRegistry();

    assertThat(registry.getProviderForScheme(MeshNameResolverProvider.SCHEME))
        .isInstanceOf(MeshNameResolverProvider.class);
    assertThat(registry.getDefaultScheme()).isEqualTo("dns");
  }
}
