package io.weft.sidecar.balancer;

import static java.util.Objects.requireNonNull;

import io.grpc.ConnectivityState;
import io.weft.sidecar.balancer.ClusterStats.EndpointSnapshot;
import io.weft.sidecar.balancer.ClusterStats.ServiceSnapshot;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The counters of one service's endpoints, written by its balancer. Thread-safe. */
final class ServiceStats {

  private final String service;
  private final Set<EndpointStats> endpoints = ConcurrentHashMap.newKeySet();
  private volatile ConnectivityState state = ConnectivityState.CONNECTING;

  ServiceStats(String service) {
    this.service = requireNonNull(service, "service");
  }

  String service() {
    return service;
  }

  void add(EndpointStats endpoint) {
    endpoints.add(endpoint);
  }

  void remove(EndpointStats endpoint) {
    endpoints.remove(endpoint);
  }

  void state(ConnectivityState state) {
    this.state = requireNonNull(state, "state");
  }

  ServiceSnapshot snapshot() {
    return new ServiceSnapshot(
        service,
        state,
        endpoints.stream()
            .map(EndpointStats::snapshot)
            .sorted(
                Comparator.comparing(EndpointSnapshot::instanceId)
                    .thenComparing(EndpointSnapshot::address))
            .toList());
  }
}
