package io.weft.sidecar.resolver;

import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import io.weft.common.MeshNames;
import io.weft.sidecar.balancer.ClusterStats;
import io.weft.sidecar.discovery.EndpointSource;
import java.net.URI;

/**
 * Registers the {@code mesh} scheme (through {@code
 * META-INF/services/io.grpc.NameResolverProvider}): a target {@code mesh:///<service>} resolves to
 * the instances of that mesh service, pushed by the {@link EndpointSource} the channel carries
 * under {@link #ENDPOINT_SOURCE} (see {@link ManagedChannelBuilder#setNameResolverArg}).
 *
 * <p>Never throws. Another scheme gets null; a malformed {@code mesh:} target, or a channel
 * without an endpoint source, gets a resolver that reports UNAVAILABLE saying what is wrong, so
 * that calls fail with it.
 */
public final class MeshNameResolverProvider extends NameResolverProvider {

  /** The target scheme. */
  public static final String SCHEME = "mesh";

  /** The endpoint source the resolver watches; required. */
  public static final NameResolver.Args.Key<EndpointSource> ENDPOINT_SOURCE =
      NameResolver.Args.Key.create("weft.mesh.endpoint-source");

  /** Where the balancer counts picks and in-flight calls; optional. */
  public static final NameResolver.Args.Key<ClusterStats> CLUSTER_STATS =
      NameResolver.Args.Key.create("weft.mesh.cluster-stats");

  private static final String INVALID_AUTHORITY = "invalid.mesh";

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    String path = targetUri.getPath();
    String service = path != null && path.startsWith("/") ? path.substring(1) : "";
    if (!isNullOrEmpty(targetUri.getRawAuthority())
        || targetUri.getRawQuery() != null
        || targetUri.getRawFragment() != null
        || !MeshNames.isServiceName(service)) {
      return new FailingNameResolver(INVALID_AUTHORITY, Status.UNAVAILABLE.withDescription(
          "target: \"" + targetUri + "\" (expected: mesh:///<service>, where <service> is a"
              + " DNS-1123 label: 1..63 characters of [a-z0-9-], starting and ending with a"
              + " letter or digit)"));
    }
    EndpointSource source = args.getArg(ENDPOINT_SOURCE);
    if (source == null) {
      return new FailingNameResolver(service, Status.UNAVAILABLE.withDescription(
          targetUri + ": the channel has no endpoint source (set"
              + " MeshNameResolverProvider.ENDPOINT_SOURCE with"
              + " ManagedChannelBuilder.setNameResolverArg, or build the channel with"
              + " MeshChannels)"));
    }
    return new MeshNameResolver(
        service, source, args.getArg(CLUSTER_STATS), args.getSynchronizationContext());
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  /**
   * Below DNS's 5, so that {@code mesh} never becomes the channel's default scheme: a target
   * without a scheme, such as {@code localhost:15010}, must keep meaning DNS.
   */
  @Override
  protected int priority() {
    return 4;
  }

  private static boolean isNullOrEmpty(String value) {
    return value == null || value.isEmpty();
  }
}
