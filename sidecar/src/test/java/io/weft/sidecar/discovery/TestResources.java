package io.weft.sidecar.discovery;

import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.Node;
import io.weft.mesh.v1.ServiceEndpoints;
import java.util.List;

/** Builders of valid mesh resources for the discovery client's tests. */
final class TestResources {

  static final Node NODE =
      Node.newBuilder()
          .setId("sidecar-1")
          .setService("caller")
          .setInstanceId("caller-1")
          .setZone("a")
          .build();

  private TestResources() {}

  static Instance instance(String service, String id, int port) {
    return Instance.newBuilder()
        .setService(service)
        .setInstanceId(id)
        .setAddress("10.0.0.1")
        .setPort(port)
        .setZone("a")
        .setWeight(100)
        .setHealth(HealthStatus.SERVING)
        .build();
  }

  static ServiceEndpoints service(String name, long revision, Instance... instances) {
    return ServiceEndpoints.newBuilder()
        .setService(name)
        .setRevision(revision)
        .addAllInstances(List.of(instances))
        .build();
  }

  static GrpcRoute route(String grpcService, long revision, String... services) {
    return GrpcRoute.newBuilder()
        .setGrpcService(grpcService)
        .setRevision(revision)
        .addAllServices(List.of(services))
        .build();
  }

  static DiscoveryResponse response(
      String version, String nonce, List<ServiceEndpoints> services, List<GrpcRoute> routes) {
    return DiscoveryResponse.newBuilder()
        .setVersionInfo(version)
        .setNonce(nonce)
        .setControlPlaneId("cp-1")
        .addAllServices(services)
        .addAllRoutes(routes)
        .build();
  }

  static DiscoveryResponse response(String version, String nonce, ServiceEndpoints... services) {
    return response(version, nonce, List.of(services), List.of());
  }
}
