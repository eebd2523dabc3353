package io.weft.sidecar.resolver;

import static java.util.Objects.requireNonNull;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.weft.common.MeshNames;
import io.weft.sidecar.balancer.ClusterStats;
import io.weft.sidecar.balancer.MeshServiceConfig;
import io.weft.sidecar.discovery.EndpointSource;
import java.util.function.Function;

/**
 * Builds plaintext channels to mesh services, {@code mesh:///<service>}, for the sidecar's proxy
 * and for proxyless apps: each channel carries the endpoint source and the cluster stats as name
 * resolver args and a default service config from {@link MeshServiceConfig}. The caller owns each
 * channel and shuts it down.
 */
public final class MeshChannels {

  /** The default limit of a received message: 4 MiB, as grpc-java's. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = 4 * 1024 * 1024;

  private final EndpointSource endpointSource;
  private final ClusterStats clusterStats;
  private final MeshServiceConfig serviceConfig;
  private final int maxInboundMessageSize;
  private final Function<String, ManagedChannelBuilder<?>> builders;

  /**
   * Channels with grpc-java's default transport.
   *
   * @param endpointSource where the channels' resolvers watch endpoint sets
   * @param clusterStats where their balancers count picks and in-flight calls
   * @param serviceConfig the default service config of every channel
   * @param maxInboundMessageSize the largest message a channel accepts, in bytes (at least 1)
   */
  public MeshChannels(
      EndpointSource endpointSource,
      ClusterStats clusterStats,
      MeshServiceConfig serviceConfig,
      int maxInboundMessageSize) {
    this(endpointSource, clusterStats, serviceConfig, maxInboundMessageSize,
        target -> Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()));
  }

  /**
   * Channels whose builders come from {@code builders}, given the {@code mesh:///} target: how the
   * sidecar puts its mesh channels on its proxies' event loops.
   *
   * @param endpointSource where the channels' resolvers watch endpoint sets
   * @param clusterStats where their balancers count picks and in-flight calls
   * @param serviceConfig the default service config of every channel
   * @param maxInboundMessageSize the largest message a channel accepts, in bytes (at least 1)
   * @param builders a plaintext channel builder for a target
   */
  public MeshChannels(
      EndpointSource endpointSource,
      ClusterStats clusterStats,
      MeshServiceConfig serviceConfig,
      int maxInboundMessageSize,
      Function<String, ManagedChannelBuilder<?>> builders) {
    this.builders = requireNonNull(builders, "builders");
    this.endpointSource = requireNonNull(endpointSource, "endpointSource");
    this.clusterStats = requireNonNull(clusterStats, "clusterStats");
    this.serviceConfig = requireNonNull(serviceConfig, "serviceConfig");
    if (maxInboundMessageSize < 1) {
      throw new IllegalArgumentException(
          "maxInboundMessageSize: " + maxInboundMessageSize + " (expected: >= 1)");
    }
    this.maxInboundMessageSize = maxInboundMessageSize;
  }

  /** A channel to the service with the default service config. */
  public ManagedChannel newChannel(String service) {
    return newChannelBuilder(service, serviceConfig).build();
  }

  /** A channel to the service with its own service config (a per-service policy, say). */
  public ManagedChannel newChannel(String service, MeshServiceConfig config) {
    return newChannelBuilder(service, config).build();
  }

  /**
   * A builder of a channel to the service, for callers that add interceptors, executors or
   * timeouts before building.
   *
   * @throws IllegalArgumentException if the service is not a mesh service name
   */
  public ManagedChannelBuilder<?> newChannelBuilder(String service, MeshServiceConfig config) {
    requireNonNull(service, "service");
    requireNonNull(config, "config");
    if (!MeshNames.isServiceName(service)) {
      throw new IllegalArgumentException("service: \"" + service
          + "\" (expected: a DNS-1123 label, 1..63 characters of [a-z0-9-])");
    }
    ManagedChannelBuilder<?> builder = builders
        .apply(MeshNameResolverProvider.SCHEME + ":///" + service)
        .setNameResolverArg(MeshNameResolverProvider.ENDPOINT_SOURCE, endpointSource)
        .setNameResolverArg(MeshNameResolverProvider.CLUSTER_STATS, clusterStats)
        .defaultServiceConfig(config.toServiceConfig())
        .maxInboundMessageSize(maxInboundMessageSize);
    if (config.retryPolicy().isPresent()) {
      builder.enableRetry();
    }
    return builder;
  }
}
