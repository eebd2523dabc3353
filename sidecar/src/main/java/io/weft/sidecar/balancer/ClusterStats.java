package io.weft.sidecar.balancer;

import static java.util.Objects.requireNonNull;

import io.grpc.ConnectivityState;
import io.weft.mesh.v1.HealthStatus;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Per-service, per-endpoint counters of the mesh balancers of one sidecar (or one proxyless app):
 * picks so far and calls in flight, with each endpoint's instance id, address, zone, weight, health
 * and subchannel state as its balancer last saw them. Thread-safe.
 *
 * <p>One instance per sidecar, handed to every mesh channel through {@code
 * io.weft.sidecar.resolver.MeshNameResolverProvider#CLUSTER_STATS}. Each balancer tracks its
 * service while it runs and stops when it shuts down (a channel that goes idle shuts its balancer
 * down until its next call); when two balancers track the same service, the one that started last
 * is shown.
 */
public final class ClusterStats {

  private final ConcurrentMap<String, ServiceStats> services = new ConcurrentHashMap<>();

  /** Starts tracking a service for one balancer, replacing an earlier tracker of that service. */
  ServiceStats openService(String service) {
    ServiceStats stats = new ServiceStats(service);
    services.put(service, stats);
    return stats;
  }

  /** Stops tracking a service, unless another balancer has taken it over since. */
  void closeService(ServiceStats stats) {
    services.remove(stats.service(), stats);
  }

  /** Every tracked service with its endpoints, sorted by service name and instance id. */
  public List<ServiceSnapshot> snapshot() {
    return services.values().stream()
        .map(ServiceStats::snapshot)
        .sorted(Comparator.comparing(ServiceSnapshot::service))
        .toList();
  }

  /**
   * One service as its balancer last saw it.
   *
   * @param service the mesh service name
   * @param state the balancer's aggregate connectivity state
   * @param endpoints every endpoint of the service, in any health, sorted by instance id
   */
  public record ServiceSnapshot(
      String service, ConnectivityState state, List<EndpointSnapshot> endpoints) {

    public ServiceSnapshot {
      requireNonNull(service, "service");
      requireNonNull(state, "state");
      endpoints = List.copyOf(endpoints);
    }
  }

  /**
   * One endpoint as its balancer last saw it.
   *
   * @param instanceId the instance id
   * @param address {@code host:port} the balancer connects to
   * @param zone the zone; empty when unknown
   * @param weight the relative weight, 1..1000
   * @param health the health the control plane last pushed
   * @param state the state of the endpoint's subchannel
   * @param picks calls picked for this endpoint since the balancer first saw it
   * @param inFlight calls on this endpoint that have started and not yet closed
   */
  public record EndpointSnapshot(
      String instanceId,
      String address,
      String zone,
      int weight,
      HealthStatus health,
      ConnectivityState state,
      long picks,
      int inFlight) {

    public EndpointSnapshot {
      requireNonNull(instanceId, "instanceId");
      requireNonNull(address, "address");
      requireNonNull(zone, "zone");
      requireNonNull(health, "health");
      requireNonNull(state, "state");
    }
  }
}
