package io.weft.sidecar.proxy;

import io.grpc.CompressorRegistry;
import io.grpc.Metadata;
import java.util.Set;

/**
 * Copies the application's metadata (text and {@code -bin}) from one side of the proxy to the
 * other, leaving out what grpc-java manages itself on each hop (content type, encodings, timeout,
 * user agent, HTTP/2 pseudo-headers) and hop-by-hop HTTP headers.
 */
final class ForwardedMetadata {

  /** Response header naming the instance that served the call: {@code <service>/<instance>}. */
  static final Metadata.Key<String> UPSTREAM =
      Metadata.Key.of("x-weft-upstream", Metadata.ASCII_STRING_MARSHALLER);

  /** The message encoding a peer compressed its messages with. */
  static final Metadata.Key<String> MESSAGE_ENCODING =
      Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);

  private static final Set<String> MANAGED_BY_GRPC =
      Set.of(
          "content-type",
          "content-length",
          "content-encoding",
          "accept-encoding",
          "te",
          "user-agent",
          "grpc-encoding",
          "grpc-accept-encoding",
          "grpc-timeout",
          "grpc-status",
          "grpc-message",
          "grpc-previous-rpc-attempts",
          "host",
          "connection",
          "keep-alive",
          "proxy-connection",
          "transfer-encoding",
          "upgrade");

  private ForwardedMetadata() {}

  /** What the upstream receives of the caller's request headers. */
  static Metadata requestHeaders(Metadata fromCaller) {
    return copy(fromCaller);
  }

  /**
   * What the caller receives of the upstream's response headers or trailers. The status itself
   * travels separately; {@code grpc-status-details-bin} is kept.
   */
  static Metadata responseMetadata(Metadata fromUpstream) {
    return copy(fromUpstream);
  }

  /**
   * The compression encoding named by {@code grpc-encoding} in {@code headers} when grpc-java can
   * compress with it, else null (absent, identity, or unknown).
   */
  static String knownEncoding(Metadata headers) {
    String encoding = headers.get(MESSAGE_ENCODING);
    if (encoding == null || encoding.equals("identity")) {
      return null;
    }
    return CompressorRegistry.getDefaultInstance().lookupCompressor(encoding) == null
        ? null
        : encoding;
  }

  private static Metadata copy(Metadata from) {
    Metadata to = new Metadata();
    for (String name : from.keys()) {
      if (name.startsWith(":") || MANAGED_BY_GRPC.contains(name)) {
        continue;
      }
      try {
        copyAll(from, to, name);
      } catch (IllegalArgumentException e) {
        // A header name grpc-java cannot represent as a key cannot be forwarded either: drop it.
      }
    }
    return to;
  }

  private static void copyAll(Metadata from, Metadata to, String name) {
    if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
      Metadata.Key<byte[]> key = Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER);
      for (byte[] value : from.getAll(key)) {
        to.put(key, value);
      }
    } else {
      Metadata.Key<String> key = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
      for (String value : from.getAll(key)) {
        to.put(key, value);
      }
    }
  }
}
