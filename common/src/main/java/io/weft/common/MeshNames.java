package io.weft.common;

import java.util.regex.Pattern;

/**
 * The name rules of the mesh API (see the proto comments), in one place for the control plane and
 * the sidecar, and the quoting of a bad value in an error message.
 */
public final class MeshNames {

  /** What a mesh service name must be, for error messages. */
  public static final String SERVICE_NAME_EXPECTED =
      "a DNS-1123 label: 1..63 characters of [a-z0-9-], starting and ending with a letter or digit";

  /** What a gRPC service name must be, for error messages. */
  public static final String GRPC_SERVICE_NAME_EXPECTED =
      "dot-separated identifiers such as \"helloworld.Greeter\", at most 255 characters";

  /** What a zone must be, for error messages. */
  public static final String ZONE_EXPECTED = "0..63 characters of [A-Za-z0-9._-]";

  private static final Pattern ZONE = Pattern.compile("[A-Za-z0-9._-]{0,63}");
  private static final int MAX_SERVICE_NAME_CHARS = 63;
  private static final int MAX_GRPC_SERVICE_CHARS = 255;
  private static final int MAX_ID_CHARS = 253;
  private static final int MAX_QUOTED_CHARS = 64;

  private MeshNames() {}

  /**
   * Whether {@code name} is a mesh service name: a DNS-1123 label of at most 63 characters ({@code
   * [a-z0-9]([-a-z0-9]*[a-z0-9])?}). Checked without a regex: the outbound proxy asks it per call.
   */
  public static boolean isServiceName(String name) {
    int length = name.length();
    if (length == 0 || length > MAX_SERVICE_NAME_CHARS
        || name.charAt(0) == '-' || name.charAt(length - 1) == '-') {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code name} is a well-formed fully qualified gRPC service name: at most 255
   * characters, dot-separated identifiers {@code [A-Za-z_][A-Za-z0-9_]*}. Checked without a regex:
   * the outbound proxy asks it per call.
   */
  public static boolean isGrpcServiceName(String name) {
    int length = name.length();
    if (length == 0 || length > MAX_GRPC_SERVICE_CHARS) {
      return false;
    }
    boolean identifierStart = true;
    for (int i = 0; i < length; i++) {
      char c = name.charAt(i);
      if (c == '.') {
        if (identifierStart) {
          return false;
        }
        identifierStart = true;
      } else if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_'
          || !identifierStart && c >= '0' && c <= '9') {
        identifierStart = false;
      } else {
        return false;
      }
    }
    return !identifierStart;
  }

  /** Whether {@code zone} is a valid zone (empty means unknown). */
  public static boolean isZone(String zone) {
    return ZONE.matcher(zone).matches();
  }

  /**
   * Whether {@code id} is 1..253 printable ASCII characters, as node and instance ids are;
   * spaces only where {@code allowSpace}.
   */
  public static boolean isId(String id, boolean allowSpace) {
    if (id.isEmpty() || id.length() > MAX_ID_CHARS) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c > 0x7e || c < 0x20 || (c == ' ' && !allowSpace)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A value for an error message: quoted, non-printable characters escaped, and cut to 64
   * characters (with its length) when longer.
   */
  public static String quote(String value) {
    String cut = value.length() > MAX_QUOTED_CHARS ? value.substring(0, MAX_QUOTED_CHARS) : value;
    StringBuilder out = new StringBuilder(cut.length() + 16).append('"');
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
    if (value.length() > MAX_QUOTED_CHARS) {
      out.append("... (").append(value.length()).append(" chars)");
    }
    return out.toString();
  }
}
