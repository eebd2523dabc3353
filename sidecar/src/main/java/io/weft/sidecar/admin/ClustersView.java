package io.weft.sidecar.admin;

import static java.util.Objects.requireNonNull;

import com.google.common.net.HostAndPort;
import io.grpc.ConnectivityState;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.ServiceEndpoints;
import io.weft.sidecar.balancer.ClusterStats.EndpointSnapshot;
import io.weft.sidecar.balancer.ClusterStats.ServiceSnapshot;
import io.weft.sidecar.discovery.DiscoveryClientDump;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The body of {@code /clusters}: every mesh service the sidecar knows, from the endpoint sets the
 * discovery client holds and from the balancers' {@code ClusterStats}, with each endpoint's
 * instance id, address, zone, weight, health, subchannel state, picks and calls in flight.
 *
 * <p>An endpoint the control plane pushed but no balancer has seen yet (no call went to its
 * service, or its channel is idle) has no {@code state}; its counters read 0. An endpoint the
 * balancer still has but the control plane no longer lists (it was just removed) is shown as the
 * balancer saw it.
 *
 * @param services every known service, sorted by name
 */
public record ClustersView(List<Service> services) {

  /** Copies. */
  public ClustersView {
    services = List.copyOf(services);
  }

  /** Merges the held endpoint sets and the balancers' counters. */
  public static ClustersView of(DiscoveryClientDump dump, List<ServiceSnapshot> balancers) {
    requireNonNull(dump, "dump");
    requireNonNull(balancers, "balancers");
    Map<String, ServiceSnapshot> byService = new TreeMap<>();
    balancers.forEach(snapshot -> byService.put(snapshot.service(), snapshot));
    TreeSet<String> names = new TreeSet<>(byService.keySet());
    names.addAll(dump.services().keySet());
    List<Service> services = new ArrayList<>();
    for (String name : names) {
      services.add(service(name, dump.services().get(name), byService.get(name)));
    }
    return new ClustersView(services);
  }

  private static Service service(String name, ServiceEndpoints held, ServiceSnapshot balancer) {
    Map<String, EndpointSnapshot> seen = new LinkedHashMap<>();
    if (balancer != null) {
      balancer.endpoints().forEach(endpoint -> seen.put(endpoint.instanceId(), endpoint));
    }
    List<Endpoint> endpoints = new ArrayList<>();
    if (held != null) {
      for (Instance instance : held.getInstancesList()) {
        EndpointSnapshot stats = seen.remove(instance.getInstanceId());
        endpoints.add(new Endpoint(
            instance.getInstanceId(),
            HostAndPort.fromParts(instance.getAddress(), instance.getPort()).toString(),
            instance.getZone(),
            instance.getWeight(),
            instance.getHealth(),
            stats == null ? null : stats.state(),
            stats == null ? 0 : stats.picks(),
            stats == null ? 0 : stats.inFlight()));
      }
    }
    for (EndpointSnapshot stats : seen.values()) {
      endpoints.add(new Endpoint(stats.instanceId(), stats.address(), stats.zone(), stats.weight(),
          stats.health(), stats.state(), stats.picks(), stats.inFlight()));
    }
    endpoints.sort(Comparator.comparing(Endpoint::instanceId));
    return new Service(
        name,
        held == null ? null : held.getRevision(),
        balancer == null ? null : balancer.state(),
        endpoints);
  }

  /**
   * One mesh service.
   *
   * @param service the mesh service name
   * @param revision the registry revision of the held endpoint set; null when none is held
   * @param state the balancer's aggregate state; null when no balancer runs for the service
   * @param endpoints every endpoint, sorted by instance id
   */
  public record Service(
      String service, Long revision, ConnectivityState state, List<Endpoint> endpoints) {

    /** Copies. */
    public Service {
      requireNonNull(service, "service");
      endpoints = List.copyOf(endpoints);
    }
  }

  /**
   * One endpoint.
   *
   * @param instanceId the instance id
   * @param address {@code host:port} callers dial
   * @param zone the zone; empty when unknown
   * @param weight the relative weight
   * @param health the health last pushed
   * @param state the state of the balancer's subchannel; null when no balancer has seen it
   * @param picks calls the balancer picked it for
   * @param inFlight calls on it that have started and not yet ended
   */
  public record Endpoint(
      String instanceId,
      String address,
      String zone,
      int weight,
      HealthStatus health,
      ConnectivityState state,
      long picks,
      int inFlight) {}
}
