package io.weft.sidecar.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.NameResolver;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeshNameResolverProviderTest {

  private final MeshNameResolverProvider provider = new MeshNameResolverProvider();
  private final FakeEndpointSource source = new FakeEndpointSource();

  @Test
  void provider_registeredForTheMeshScheme() {
    assertThat(NameResolverRegistry.getDefaultRegistry().getProviderForScheme("mesh"))
        .isInstanceOf(MeshNameResolverProvider.class);
    assertThat(provider.getDefaultScheme()).isEqualTo("mesh");
  }

  @Test
  void otherScheme_notResolved() {
    assertThat(provider.newNameResolver(URI.create("dns:///greeter"), args(source))).isNull();
  }

  @Test
  void meshTarget_resolvedWithTheServiceAsAuthority() {
    NameResolver resolver = provider.newNameResolver(URI.create("mesh:///greeter"), args(source));

    assertThat(resolver).isInstanceOf(MeshNameResolver.class);
    assertThat(resolver.getServiceAuthority()).isEqualTo("greeter");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "mesh://host/greeter", "mesh:///Greeter", "mesh:///a/b", "mesh:///", "mesh:greeter",
      "mesh:///greeter?x=1", "mesh:///-greeter"})
  void malformedTarget_reportsWhatIsExpected(String target) {
    NameResolver resolver = provider.newNameResolver(URI.create(target), args(source));

    Status error = startAndGetError(resolver);

    assertThat(error.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(error.getDescription())
        .startsWith("target: \"" + target + "\" (expected: mesh:///<service>");
  }

  @Test
  void channelWithoutEndpointSource_reportsHowToGiveOne() {
    NameResolver resolver = provider.newNameResolver(URI.create("mesh:///greeter"), args(null));

    assertThat(resolver.getServiceAuthority()).isEqualTo("greeter");
    assertThat(startAndGetError(resolver).getDescription())
        .startsWith("mesh:///greeter: the channel has no endpoint source")
        .contains("MeshNameResolverProvider.ENDPOINT_SOURCE");
  }

  private static Status startAndGetError(NameResolver resolver) {
    List<Status> errors = new ArrayList<>();
    resolver.start(new NameResolver.Listener2() {
      @Override
      public void onResult(NameResolver.ResolutionResult result) {
        throw new AssertionError("no result expected");
      }

      @Override
      public void onError(Status error) {
        errors.add(error);
      }
    });
    resolver.shutdown();
    assertThat(errors).hasSize(1);
    return errors.get(0);
  }

  private static NameResolver.Args args(FakeEndpointSource source) {
    NameResolver.Args.Builder args = NameResolver.Args.newBuilder()
        .setDefaultPort(443)
        .setProxyDetector(address -> null)
        .setSynchronizationContext(new SynchronizationContext((thread, error) -> {
          throw new AssertionError(error);
        }))
        .setServiceConfigParser(new NameResolver.ServiceConfigParser() {
          @Override
          public NameResolver.ConfigOrError parseServiceConfig(Map<String, ?> raw) {
            return NameResolver.ConfigOrError.fromConfig(raw);
          }
        });
    if (source != null) {
      args.setArg(MeshNameResolverProvider.ENDPOINT_SOURCE, source);
    }
    return args.build();
  }
}
