package io.weft.sidecar.discovery;

import io.weft.common.MeshNames;
import io.weft.mesh.v1.DiscoveryResponse;
import io.weft.mesh.v1.GrpcRoute;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.ServiceEndpoints;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates a whole {@link DiscoveryResponse} before any of it is applied: every service and
 * route in it, whether watched or not. Each error names the resource and the field, with the
 * value and what was expected.
 */
final class ResponseValidator {

  /** Errors beyond this many are counted, not listed, so that a NACK stays small. */
  static final int MAX_LISTED_ERRORS = 100;

  private static final int MAX_PORT = 65535;
  private static final int MAX_WEIGHT = 1000;

  private ResponseValidator() {}

  /** Every error in the response; empty if it may be applied. */
  static List<String> validate(DiscoveryResponse response) {
    List<String> errors = new ArrayList<>();
    Set<String> serviceNames = new HashSet<>();
    for (int i = 0; i < response.getServicesCount(); i++) {
      ServiceEndpoints service = response.getServices(i);
      if (!serviceNames.add(service.getService())) {
        errors.add("service " + service.getService() + ": sent twice in one response");
      }
      validateService(i, service, errors);
    }
    Set<String> routeNames = new HashSet<>();
    for (int i = 0; i < response.getRoutesCount(); i++) {
      GrpcRoute route = response.getRoutes(i);
      if (!routeNames.add(route.getGrpcService())) {
        errors.add("route " + route.getGrpcService() + ": sent twice in one response");
      }
      validateRoute(i, route, errors);
    }
    return errors;
  }

  /** The errors joined into one message, at most {@link #MAX_LISTED_ERRORS} of them listed. */
  static String describe(List<String> errors) {
    if (errors.size() <= MAX_LISTED_ERRORS) {
      return String.join("; ", errors);
    }
    return String.join("; ", errors.subList(0, MAX_LISTED_ERRORS))
        + "; and " + (errors.size() - MAX_LISTED_ERRORS) + " more errors";
  }

  private static void validateService(int index, ServiceEndpoints service, List<String> errors) {
    String name = service.getService();
    if (!MeshNames.isServiceName(name)) {
      errors.add("services[" + index + "].service: " + MeshNames.quote(name)
          + " (expected: " + MeshNames.SERVICE_NAME_EXPECTED + ")");
      return;
    }
    String prefix = "service " + name + ": ";
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < service.getInstancesCount(); i++) {
      Instance instance = service.getInstances(i);
      String field = prefix + "instances[" + i + "].";
      if (!instance.getService().equals(name)) {
        errors.add(field + "service: \"" + instance.getService() + "\" (expected: \"" + name
            + "\")");
      }
      if (instance.getInstanceId().isEmpty()) {
        errors.add(field + "instance_id: \"\" (expected: non-empty)");
      } else if (!ids.add(instance.getInstanceId())) {
        errors.add(field + "instance_id: \"" + instance.getInstanceId()
            + "\" (expected: unique within the service)");
      }
      if (instance.getAddress().isEmpty()) {
        errors.add(field + "address: \"\" (expected: non-empty)");
      }
      if (instance.getPort() < 1 || instance.getPort() > MAX_PORT) {
        errors.add(field + "port: " + Integer.toUnsignedString(instance.getPort())
            + " (expected: 1..65535)");
      }
      if (instance.getWeight() < 1 || instance.getWeight() > MAX_WEIGHT) {
        errors.add(field + "weight: " + Integer.toUnsignedString(instance.getWeight())
            + " (expected: 1..1000)");
      }
      HealthStatus health = instance.getHealth();
      if (health == HealthStatus.HEALTH_STATUS_UNSPECIFIED
          || health == HealthStatus.UNRECOGNIZED) {
        errors.add(field + "health: " + describeHealth(instance)
            + " (expected: SERVING, NOT_SERVING or DRAINING)");
      }
    }
  }

  private static void validateRoute(int index, GrpcRoute route, List<String> errors) {
    String name = route.getGrpcService();
    if (!MeshNames.isGrpcServiceName(name)) {
      errors.add("routes[" + index + "].grpc_service: " + MeshNames.quote(name)
          + " (expected: " + MeshNames.GRPC_SERVICE_NAME_EXPECTED + ")");
      return;
    }
    for (int i = 0; i < route.getServicesCount(); i++) {
      String service = route.getServices(i);
      if (!MeshNames.isServiceName(service)) {
        errors.add("route " + name + ": services[" + i + "]: " + MeshNames.quote(service)
            + " (expected: " + MeshNames.SERVICE_NAME_EXPECTED + ")");
      }
    }
  }

  private static String describeHealth(Instance instance) {
    return instance.getHealth() == HealthStatus.UNRECOGNIZED
        ? String.valueOf(instance.getHealthValue())
        : instance.getHealth().name();
  }
}
