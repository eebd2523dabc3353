package io.weft.sidecar.resolver;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.ServiceEndpoints;
import io.weft.sidecar.balancer.ClusterStats;
import io.weft.sidecar.balancer.MeshAttributes;
import io.weft.sidecar.discovery.EndpointSource;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves {@code mesh:///<service>} from an {@link EndpointSource}: each pushed endpoint set
 * becomes one {@link EquivalentAddressGroup} per instance (in any health), with the instance's
 * {@link MeshAttributes}. Push-based: {@link #refresh()} does nothing.
 *
 * <p>Every callback hops into the channel's synchronization context. An error before the first
 * endpoint set reaches the channel; after it, errors are ambient and the last set stays (static
 * stability).
 */
final class MeshNameResolver extends NameResolver {

  private static final Logger log = LoggerFactory.getLogger(MeshNameResolver.class);

  /** The weight of an instance registered with weight 0, as the mesh API defines it. */
  private static final int DEFAULT_WEIGHT = 100;

  private final String service;
  private final EndpointSource source;
  private final ClusterStats clusterStats;
  private final SynchronizationContext syncContext;
  private Listener2 listener;
  private EndpointSource.Watch watch;
  private boolean hasData;
  private boolean shutdown;

  /**
   * @param clusterStats passed on to the balancer in the resolution result; may be null
   */
  MeshNameResolver(
      String service,
      EndpointSource source,
      ClusterStats clusterStats,
      SynchronizationContext syncContext) {
    this.service = requireNonNull(service, "service");
    this.source = requireNonNull(source, "source");
    this.clusterStats = clusterStats;
    this.syncContext = requireNonNull(syncContext, "syncContext");
  }

  @Override
  public String getServiceAuthority() {
    return service;
  }

  @Override
  public void start(Listener2 listener) {
    if (this.listener != null) {
      throw new IllegalStateException("mesh:///" + service + ": already started");
    }
    this.listener = requireNonNull(listener, "listener");
    watch = source.watchService(service, new EndpointSource.Watcher<>() {
      @Override
      public void onUpdate(ServiceEndpoints endpoints) {
        syncContext.execute(() -> handleUpdate(endpoints));
      }

      @Override
      public void onError(Status status) {
        syncContext.execute(() -> handleError(status));
      }
    });
  }

  /** Does nothing: the endpoint source pushes every change. */
  @Override
  public void refresh() {}

  @Override
  public void shutdown() {
    if (shutdown) {
      return;
    }
    shutdown = true;
    if (watch != null) {
      watch.close();
    }
  }

  private void handleUpdate(ServiceEndpoints endpoints) {
    if (shutdown) {
      return;
    }
    hasData = true;
    List<EquivalentAddressGroup> groups = new ArrayList<>();
    for (Instance instance : endpoints.getInstancesList()) {
      Optional<EquivalentAddressGroup> group = toGroup(instance);
      if (group.isPresent()) {
        groups.add(group.get());
      } else {
        log.warn("{}: skipping instance {} with unusable address {}:{}", service,
            instance.getInstanceId(), instance.getAddress(), instance.getPort());
      }
    }
    Attributes.Builder attributes = Attributes.newBuilder().set(MeshAttributes.SERVICE, service);
    if (clusterStats != null) {
      attributes.set(MeshAttributes.CLUSTER_STATS, clusterStats);
    }
    Status accepted = listener.onResult2(ResolutionResult.newBuilder()
        .setAddressesOrError(StatusOr.fromValue(groups))
        .setAttributes(attributes.build())
        .build());
    if (accepted.isOk()) {
      log.debug("{}: resolved {} endpoints at revision {}", service, groups.size(),
          endpoints.getRevision());
    } else if (groups.isEmpty()) {
      log.debug("{}: no endpoints at revision {}: {}", service, endpoints.getRevision(), accepted);
    } else {
      log.warn("{}: the balancer refused {} endpoints at revision {}: {}", service, groups.size(),
          endpoints.getRevision(), accepted);
    }
  }

  private void handleError(Status status) {
    if (shutdown) {
      return;
    }
    if (hasData) {
      log.warn("{}: keeping the last endpoint set: {}", service, status);
      return;
    }
    listener.onError(Status.UNAVAILABLE
        .withDescription("mesh:///" + service + ": no endpoint set yet: " + status.getCode()
            + (status.getDescription() == null ? "" : ": " + status.getDescription()))
        .withCause(status.getCause()));
  }

  /** The instance as an address group, or empty when its address or port cannot be used. */
  static Optional<EquivalentAddressGroup> toGroup(Instance instance) {
    String host = instance.getAddress();
    int port = instance.getPort();
    if (host.isEmpty() || port < 1 || port > 65535) {
      return Optional.empty();
    }
    InetSocketAddress address = InetAddresses.isInetAddress(host)
        ? new InetSocketAddress(InetAddresses.forString(host), port)
        : InetSocketAddress.createUnresolved(host, port);
    HealthStatus health = instance.getHealth() == HealthStatus.UNRECOGNIZED
        ? HealthStatus.HEALTH_STATUS_UNSPECIFIED
        : instance.getHealth();
    Attributes attributes = Attributes.newBuilder()
        .set(MeshAttributes.INSTANCE_ID, instance.getInstanceId())
        .set(MeshAttributes.ZONE, instance.getZone())
        .set(MeshAttributes.WEIGHT,
            instance.getWeight() == 0 ? DEFAULT_WEIGHT : instance.getWeight())
        .set(MeshAttributes.HEALTH, health)
        .build();
    return Optional.of(new EquivalentAddressGroup(address, attributes));
  }
}
