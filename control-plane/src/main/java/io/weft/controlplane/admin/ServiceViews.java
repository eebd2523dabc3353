package io.weft.controlplane.admin;

import io.weft.controlplane.registry.LeaseView;
import io.weft.controlplane.registry.RegistrySnapshot;
import io.weft.controlplane.registry.ServiceView;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The JSON views of {@code /v1/services} and {@code /v1/services/{name}}. */
final class ServiceViews {

  private ServiceViews() {}

  /**
   * {@code /v1/services}: every service with at least one instance, sorted by name.
   *
   * @param revision the registry revision the view was taken at
   * @param services one summary per service
   */
  record ServiceList(long revision, List<ServiceSummary> services) {}

  /**
   * One service in {@code /v1/services}.
   *
   * @param name the mesh service name
   * @param revision the registry revision at which the service last changed
   * @param instances how many instances it has, in any health state
   * @param health how many instances are in each health state
   * @param grpcServices every gRPC service any of its instances serves, sorted
   */
  record ServiceSummary(
      String name, long revision, int instances, HealthCounts health, List<String> grpcServices) {}

  /** Instances per health state. */
  record HealthCounts(int serving, int notServing, int draining) {}

  /**
   * {@code /v1/services/{name}}: a service with every instance and its lease.
   *
   * @param name the mesh service name
   * @param revision the registry revision at which the service last changed
   * @param instances every instance, sorted by instance id
   */
  record ServiceDetail(String name, long revision, List<InstanceDetail> instances) {}

  /**
   * One instance with every registered field and its lease.
   *
   * @param lease the lease holding the instance; absent only if it ended while the view was taken
   */
  record InstanceDetail(
      String instanceId,
      String address,
      int port,
      String zone,
      int weight,
      String health,
      Map<String, String> metadata,
      List<String> grpcServices,
      LeaseViews.LeaseDetail lease) {}

  /** The summary of every service in {@code snapshot}. */
  static ServiceList list(RegistrySnapshot snapshot) {
    List<ServiceSummary> services =
        new TreeMap<>(snapshot.services())
            .values().stream().map(ServiceViews::summary).toList();
    return new ServiceList(snapshot.revision(), services);
  }

  /** The detail of one service that has instances, with the leases among {@code leases}. */
  static ServiceDetail detail(ServiceView service, Collection<LeaseView> leases) {
    Map<String, LeaseView> byInstance =
        leases.stream()
            .filter(lease -> lease.service().equals(service.name()))
            .collect(Collectors.toMap(LeaseView::instanceId, Function.identity(), (a, b) -> a));
    List<InstanceDetail> instances =
        service.instances().stream()
            .map(instance -> instance(instance, byInstance.get(instance.getInstanceId())))
            .toList();
    return new ServiceDetail(service.name(), service.revision(), instances);
  }

  private static ServiceSummary summary(ServiceView service) {
    int serving = 0;
    int notServing = 0;
    int draining = 0;
    TreeSet<String> grpcServices = new TreeSet<>();
    for (Instance instance : service.instances()) {
      switch (instance.getHealth()) {
        case SERVING -> serving++;
        case DRAINING -> draining++;
        default -> notServing++;
      }
      grpcServices.addAll(instance.getGrpcServicesList());
    }
    return new ServiceSummary(
        service.name(),
        service.revision(),
        service.instances().size(),
        new HealthCounts(serving, notServing, draining),
        List.copyOf(grpcServices));
  }

  private static InstanceDetail instance(Instance instance, LeaseView lease) {
    HealthStatus health = instance.getHealth();
    return new InstanceDetail(
        instance.getInstanceId(),
        instance.getAddress(),
        instance.getPort(),
        instance.getZone(),
        instance.getWeight(),
        health.name(),
        new TreeMap<>(instance.getMetadataMap()),
        instance.getGrpcServicesList(),
        lease != null ? LeaseViews.detail(lease) : null);
  }
}
