package io.weft.sidecar.discovery;

import java.util.regex.Pattern;

/**
 * Checks of the names the mesh API uses: mesh service names and gRPC service names. Each check
 * returns null for a valid name, else what was expected, for an error message.
 */
final class MeshNames {

  private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern GRPC_SERVICE =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
  private static final int MAX_SERVICE_LENGTH = 63;
  private static final int MAX_GRPC_SERVICE_LENGTH = 255;

  private MeshNames() {}

  /** Null if {@code name} is a DNS-1123 label, else what was expected. */
  static String checkServiceName(String name) {
    if (name.isEmpty()
        || name.length() > MAX_SERVICE_LENGTH
        || !DNS_1123_LABEL.matcher(name).matches()) {
      return "expected: a DNS-1123 label, 1..63 characters of [a-z0-9-], "
          + "starting and ending with a letter or digit";
    }
    return null;
  }

  /** Null if {@code name} is a fully qualified gRPC service name, else what was expected. */
  static String checkGrpcServiceName(String name) {
    if (name.isEmpty()
        || name.length() > MAX_GRPC_SERVICE_LENGTH
        || !GRPC_SERVICE.matcher(name).matches()) {
      return "expected: dot-separated identifiers such as helloworld.Greeter, "
          + "at most 255 characters";
    }
    return null;
  }
}
