package io.weft.controlplane.registry;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import io.grpc.Status;
import io.weft.common.MeshNames;
import io.weft.common.ProtoDurations;
import io.weft.mesh.v1.HealthStatus;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.RegisterRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a {@link RegisterRequest} as a whole against the limits the mesh API documents, and
 * reports every error at once. Each error names the field, the value (escaped and truncated when
 * long) and what was expected, for example {@code instance.port: 70000 (expected: 1..65535)}.
 * Purely syntactic: it never resolves names.
 */
public final class InstanceValidator {

  /** The shortest lease TTL a request may ask for. */
  public static final Duration MIN_LEASE_TTL = Duration.ofSeconds(1);

  /** The longest lease TTL a request may ask for. */
  public static final Duration MAX_LEASE_TTL = Duration.ofSeconds(300);

  /**
   * Errors beyond this many are summarised, so that a status description stays well below the
   * size gRPC allows in trailers.
   */
  static final int MAX_REPORTED_ERRORS = 16;

  private static final Pattern HOST_LABEL =
      Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?");
  private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9._/-]{1,63}");
  private static final int MAX_METADATA_ENTRIES = 64;
  private static final int MAX_METADATA_BYTES = 16 * 1024;
  private static final int MAX_GRPC_SERVICES = 256;

  private InstanceValidator() {}

  /** {@link Status#OK} for a valid request, else INVALID_ARGUMENT describing every error. */
  public static Status check(RegisterRequest request) {
    List<String> errors = validate(request);
    return errors.isEmpty() ? Status.OK : Status.INVALID_ARGUMENT.withDescription(join(errors));
  }

  /** Every error in {@code request}; empty when it is valid. */
  public static List<String> validate(RegisterRequest request) {
    requireNonNull(request, "request");
    List<String> errors = new ArrayList<>();
    if (request.hasInstance()) {
      validateInstance(request.getInstance(), errors);
    } else {
      errors.add("instance: unset (expected: the instance to register)");
    }
    validateNodeId(request.getNodeId(), "node_id", errors);
    if (request.hasLeaseTtl()) {
      com.google.protobuf.Duration ttl = request.getLeaseTtl();
      if (!ProtoDurations.isValid(ttl)
          || ProtoDurations.toJava(ttl).compareTo(MIN_LEASE_TTL) < 0
          || ProtoDurations.toJava(ttl).compareTo(MAX_LEASE_TTL) > 0) {
        errors.add("lease_ttl: " + ProtoDurations.describe(ttl) + " (expected: unset or 1s..300s)");
      }
    }
    return errors;
  }

  private static void validateNodeId(String nodeId, String field, List<String> errors) {
    if (!MeshNames.isId(nodeId, true)) {
      errors.add(
          field + ": " + MeshNames.quote(nodeId) + " (expected: 1..253 printable ASCII characters)");
    }
  }

  private static String join(List<String> errors) {
    if (errors.size() <= MAX_REPORTED_ERRORS) {
      return String.join("; ", errors);
    }
    return String.join("; ", errors.subList(0, MAX_REPORTED_ERRORS))
        + "; and "
        + (errors.size() - MAX_REPORTED_ERRORS)
        + " more errors";
  }

  private static void validateInstance(Instance instance, List<String> errors) {
    if (!MeshNames.isServiceName(instance.getService())) {
      errors.add(
          "instance.service: "
              + MeshNames.quote(instance.getService())
              + " (expected: "
              + MeshNames.SERVICE_NAME_EXPECTED
              + ")");
    }
    String id = instance.getInstanceId();
    if (!MeshNames.isId(id, false)) {
      errors.add(
          "instance.instance_id: "
              + MeshNames.quote(id)
              + " (expected: 1..253 printable ASCII characters, no whitespace)");
    }
    if (!isAddress(instance.getAddress())) {
      errors.add(
          "instance.address: "
              + MeshNames.quote(instance.getAddress())
              + " (expected: an IPv4 or IPv6 literal other than 0.0.0.0 and ::, or a DNS name"
              + " of dot-separated labels of [A-Za-z0-9-], at most 253 characters)");
    }
    int port = instance.getPort();
    if (port < 1 || port > 65535) {
      errors.add("instance.port: " + Integer.toUnsignedString(port) + " (expected: 1..65535)");
    }
    if (!MeshNames.isZone(instance.getZone())) {
      errors.add(
          "instance.zone: "
              + MeshNames.quote(instance.getZone())
              + " (expected: "
              + MeshNames.ZONE_EXPECTED
              + ")");
    }
    int weight = instance.getWeight();
    if (weight < 0 || weight > 1000) {
      errors.add(
          "instance.weight: "
              + Integer.toUnsignedString(weight)
              + " (expected: 1..1000, or 0 for the default 100)");
    }
    validateMetadata(instance.getMetadataMap(), errors);
    validateGrpcServices(instance.getGrpcServicesList(), errors);
    HealthStatus health = instance.getHealth();
    if (health != HealthStatus.HEALTH_STATUS_UNSPECIFIED
        && health != HealthStatus.SERVING
        && health != HealthStatus.NOT_SERVING) {
      errors.add(
          "instance.health: "
              + (health == HealthStatus.UNRECOGNIZED
                  ? String.valueOf(instance.getHealthValue())
                  : health.name())
              + " (expected: SERVING, NOT_SERVING or unspecified; DRAINING is set by Deregister)");
    }
  }

  private static void validateMetadata(Map<String, String> metadata, List<String> errors) {
    if (metadata.size() > MAX_METADATA_ENTRIES) {
      errors.add(
          "instance.metadata: " + metadata.size() + " entries (expected: at most 64)");
    }
    long bytes = 0;
    for (Map.Entry<String, String> entry : metadata.entrySet()) {
      if (!METADATA_KEY.matcher(entry.getKey()).matches()) {
        errors.add(
            "instance.metadata: key "
                + MeshNames.quote(entry.getKey())
                + " (expected: 1..63 characters of [A-Za-z0-9._/-])");
      }
      bytes += utf8Length(entry.getKey()) + utf8Length(entry.getValue());
    }
    if (bytes > MAX_METADATA_BYTES) {
      errors.add(
          "instance.metadata: "
              + bytes
              + " bytes of keys and values (expected: at most 16384, UTF-8)");
    }
  }

  private static void validateGrpcServices(List<String> names, List<String> errors) {
    if (names.size() > MAX_GRPC_SERVICES) {
      errors.add("instance.grpc_services: " + names.size() + " names (expected: at most 256)");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (!MeshNames.isGrpcServiceName(name)) {
        errors.add(
            "instance.grpc_services["
                + i
                + "]: "
                + MeshNames.quote(name)
                + " (expected: dot-separated identifiers [A-Za-z_][A-Za-z0-9_]*,"
                + " at most 255 characters)");
      } else if (!seen.add(name)) {
        errors.add(
            "instance.grpc_services[" + i + "]: " + MeshNames.quote(name) + " (expected: no duplicates)");
      }
    }
  }

  private static boolean isAddress(String address) {
    if (address.isEmpty()) {
      return false;
    }
    if (InetAddresses.isInetAddress(address)) {
      return !InetAddresses.forString(address).isAnyLocalAddress();
    }
    if (address.length() > 253) {
      return false;
    }
    String[] labels = address.split("\\.", -1);
    for (String label : labels) {
      if (!HOST_LABEL.matcher(label).matches()) {
        return false;
      }
    }
    // An all-numeric last label is a malformed IP address, not a host name.
    return !labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9');
  }

  private static long utf8Length(String value) {
    return value.getBytes(StandardCharsets.UTF_8).length;
  }
}
