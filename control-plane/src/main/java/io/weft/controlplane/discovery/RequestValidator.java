package io.weft.controlplane.discovery;

import io.grpc.Status;
import io.weft.common.MeshNames;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.KnownService;
import io.weft.mesh.v1.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validates discovery requests as a whole. Every problem is named (field, value, what was
 * expected) in one INVALID_ARGUMENT status, so that a sidecar learns everything that is wrong at
 * once.
 */
final class RequestValidator {

  /** The service subscription that means "every service, present and future". */
  static final String WILDCARD = "*";

  private RequestValidator() {}

  /** Checks what only a stream's first request carries: the node and the initial state. */
  static Status validateFirst(DiscoveryRequest request) {
    List<String> errors = new ArrayList<>();
    if (!request.hasNode() || request.getNode().getId().isEmpty()) {
      errors.add("node.id: missing (expected: required on a stream's first request)");
    } else {
      checkNode(request.getNode(), errors);
    }
    for (Map.Entry<String, KnownService> entry : request.getInitialServiceStateMap().entrySet()) {
      String field = "initial_service_state[" + MeshNames.quote(entry.getKey()) + "]";
      if (!MeshNames.isServiceName(entry.getKey())) {
        errors.add(field + ": " + MeshNames.quote(entry.getKey()) + " (expected: a DNS-1123 label)");
      }
      List<String> ids = entry.getValue().getInstanceIdsList();
      for (int i = 0; i < ids.size(); i++) {
        if (!MeshNames.isId(ids.get(i), false)) {
          errors.add(field + ".instance_ids[" + i + "]: " + MeshNames.quote(ids.get(i))
              + " (expected: 1..253 printable ASCII characters, no whitespace)");
        }
      }
    }
    return toStatus(errors);
  }

  /** Checks every subscribed and unsubscribed name. */
  static Status validateSubscriptions(DiscoveryRequest request) {
    List<String> errors = new ArrayList<>();
    checkServiceNames("service_names_subscribe", request.getServiceNamesSubscribeList(), errors);
    checkServiceNames(
        "service_names_unsubscribe", request.getServiceNamesUnsubscribeList(), errors);
    checkRouteNames("route_names_subscribe", request.getRouteNamesSubscribeList(), errors);
    checkRouteNames("route_names_unsubscribe", request.getRouteNamesUnsubscribeList(), errors);
    return toStatus(errors);
  }

  private static void checkNode(Node node, List<String> errors) {
    if (!MeshNames.isId(node.getId(), true)) {
      errors.add("node.id: " + MeshNames.quote(node.getId())
          + " (expected: 1..253 printable ASCII characters)");
    }
    if (!node.getService().isEmpty() && !MeshNames.isServiceName(node.getService())) {
      errors.add("node.service: " + MeshNames.quote(node.getService())
          + " (expected: empty or a DNS-1123 label)");
    }
    if (!node.getInstanceId().isEmpty() && !MeshNames.isId(node.getInstanceId(), false)) {
      errors.add("node.instance_id: " + MeshNames.quote(node.getInstanceId())
          + " (expected: empty or 1..253 printable ASCII characters, no whitespace)");
    }
    if (!MeshNames.isZone(node.getZone())) {
      errors.add("node.zone: " + MeshNames.quote(node.getZone())
          + " (expected: 0..63 characters of [A-Za-z0-9._-])");
    }
  }

  private static void checkServiceNames(String field, List<String> names, List<String> errors) {
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (!name.equals(WILDCARD) && !MeshNames.isServiceName(name)) {
        errors.add(field + "[" + i + "]: " + MeshNames.quote(name)
            + " (expected: a DNS-1123 label of at most 63 characters, or \"*\")");
      }
    }
  }

  private static void checkRouteNames(String field, List<String> names, List<String> errors) {
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (!MeshNames.isGrpcServiceName(name)) {
        errors.add(field + "[" + i + "]: " + MeshNames.quote(name)
            + " (expected: a gRPC service name such as \"helloworld.Greeter\","
            + " at most 255 characters)");
      }
    }
  }

  private static Status toStatus(List<String> errors) {
    return errors.isEmpty()
        ? Status.OK
        : Status.INVALID_ARGUMENT.withDescription(String.join("; ", errors));
  }
}
