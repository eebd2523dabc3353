package io.weft.controlplane.discovery;

import io.grpc.Status;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.KnownService;
import io.weft.mesh.v1.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validates discovery requests as a whole. Every problem is named (field, value, what was
 * expected) in one INVALID_ARGUMENT status, so that a sidecar learns everything that is wrong at
 * once.
 */
final class RequestValidator {

  /** The service subscription that means "every service, present and future". */
  static final String WILDCARD = "*";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern GRPC_SERVICE =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
  private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9._-]{0,63}");
  private static final int MAX_ID_LENGTH = 253;
  private static final int MAX_GRPC_SERVICE_LENGTH = 255;
  private static final int MAX_QUOTED_LENGTH = 80;

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
      String field = "initial_service_state[" + quote(entry.getKey()) + "]";
      if (!isServiceName(entry.getKey())) {
        errors.add(field + ": " + quote(entry.getKey()) + " (expected: a DNS-1123 label)");
      }
      List<String> ids = entry.getValue().getInstanceIdsList();
      for (int i = 0; i < ids.size(); i++) {
        if (!isId(ids.get(i), false)) {
          errors.add(field + ".instance_ids[" + i + "]: " + quote(ids.get(i))
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

  static boolean isServiceName(String name) {
    return name.length() <= 63 && DNS_LABEL.matcher(name).matches();
  }

  static boolean isRouteName(String name) {
    return name.length() <= MAX_GRPC_SERVICE_LENGTH && GRPC_SERVICE.matcher(name).matches();
  }

  private static void checkNode(Node node, List<String> errors) {
    if (!isId(node.getId(), true)) {
      errors.add("node.id: " + quote(node.getId())
          + " (expected: 1..253 printable ASCII characters)");
    }
    if (!node.getService().isEmpty() && !isServiceName(node.getService())) {
      errors.add("node.service: " + quote(node.getService())
          + " (expected: empty or a DNS-1123 label)");
    }
    if (!node.getInstanceId().isEmpty() && !isId(node.getInstanceId(), false)) {
      errors.add("node.instance_id: " + quote(node.getInstanceId())
          + " (expected: empty or 1..253 printable ASCII characters, no whitespace)");
    }
    if (!ZONE.matcher(node.getZone()).matches()) {
      errors.add("node.zone: " + quote(node.getZone())
          + " (expected: 0..63 characters of [A-Za-z0-9._-])");
    }
  }

  private static void checkServiceNames(String field, List<String> names, List<String> errors) {
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (!name.equals(WILDCARD) && !isServiceName(name)) {
        errors.add(field + "[" + i + "]: " + quote(name)
            + " (expected: a DNS-1123 label of at most 63 characters, or \"*\")");
      }
    }
  }

  private static void checkRouteNames(String field, List<String> names, List<String> errors) {
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (!isRouteName(name)) {
        errors.add(field + "[" + i + "]: " + quote(name)
            + " (expected: a gRPC service name such as \"helloworld.Greeter\","
            + " at most 255 characters)");
      }
    }
  }

  private static boolean isId(String id, boolean spaceAllowed) {
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      return false;
    }
    char lowest = spaceAllowed ? ' ' : '!';
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < lowest || c > '~') {
        return false;
      }
    }
    return true;
  }

  private static String quote(String value) {
    String shown =
        value.length() > MAX_QUOTED_LENGTH ? value.substring(0, MAX_QUOTED_LENGTH) + "..." : value;
    return "\"" + shown + "\"";
  }

  private static Status toStatus(List<String> errors) {
    return errors.isEmpty()
        ? Status.OK
        : Status.INVALID_ARGUMENT.withDescription(String.join("; ", errors));
  }
}
