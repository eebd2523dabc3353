package io.weft.demo;

import io.grpc.Metadata;

/**
 * The {@code x-weft-upstream} response header a weft sidecar adds to every call it forwards:
 * {@code <service>/<instance-id>} of the instance that answered. The greeter does not depend on
 * weft; it only reads the header when present.
 */
public final class UpstreamHeader {

  /** The header's key. */
  public static final Metadata.Key<String> KEY =
      Metadata.Key.of("x-weft-upstream", Metadata.ASCII_STRING_MARSHALLER);

  private UpstreamHeader() {}

  /**
   * The instance id in a header value {@code <service>/<instance-id>} (service names hold no
   * {@code /}, instance ids may), or null when the value is null or does not have that form.
   */
  public static String instanceId(String value) {
    if (value == null) {
      return null;
    }
    int slash = value.indexOf('/');
    if (slash <= 0 || slash == value.length() - 1) {
      return null;
    }
    return value.substring(slash + 1);
  }

  /** The instance id named by {@code headers}, or null when they carry no valid header. */
  public static String instanceId(Metadata headers) {
    return instanceId(headers.get(KEY));
  }
}
