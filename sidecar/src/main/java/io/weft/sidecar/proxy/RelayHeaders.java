package io.weft.sidecar.proxy;

import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/2 headers of gRPC calls as the frame relay reads and writes them: request headers passed
 * on without hop-by-hop headers, the {@code grpc-timeout} format, statuses in trailers (with the
 * percent-encoded {@code grpc-message} of the gRPC HTTP/2 protocol), and the relay's own errors as
 * trailers-only responses.
 */
final class RelayHeaders {

  static final AsciiString UPSTREAM = AsciiString.cached("x-weft-upstream");
  static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
  static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
  static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
  static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
  static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");
  private static final AsciiString STATUS_OK = AsciiString.cached("200");
  private static final AsciiString POST = AsciiString.cached("POST");

  /** Connection-specific headers, which HTTP/2 forbids or which belong to one hop. */
  private static final Set<AsciiString> HOP_BY_HOP = Set.of(
      AsciiString.cached("connection"),
      AsciiString.cached("keep-alive"),
      AsciiString.cached("proxy-connection"),
      AsciiString.cached("transfer-encoding"),
      AsciiString.cached("upgrade"),
      AsciiString.cached("host"));

  private static final long MAX_TIMEOUT_VALUE = 99_999_999L;

  private RelayHeaders() {}

  /**
   * Why {@code headers} are not a gRPC request this relay can pass on, or null when they are:
   * {@code POST}, a path of the form {@code /service/method}, a {@code application/grpc} content
   * type.
   */
  static String requestError(Http2Headers headers) {
    if (!POST.contentEquals(headers.method())) {
      return "method " + headers.method() + " is not supported (expected: POST)";
    }
    CharSequence path = headers.path();
    int slash = path == null ? -1 : AsciiString.indexOf(path, '/', 1);
    if (path == null || path.length() < 4 || path.charAt(0) != '/' || slash < 2
        || slash == path.length() - 1) {
      return "path " + path + " is not a gRPC method (expected: /<service>/<method>)";
    }
    CharSequence contentType = headers.get(CONTENT_TYPE);
    if (contentType == null || !AsciiString.of(contentType).startsWith(APPLICATION_GRPC)) {
      return "content-type " + contentType + " is not supported (expected: application/grpc)";
    }
    return null;
  }

  /** The full method name of a valid request's {@code path} ({@code helloworld.Greeter/SayHello}). */
  static String fullMethodName(CharSequence path) {
    return path.subSequence(1, path.length()).toString();
  }

  /**
   * What the upstream receives of the caller's request headers, which this rewrites in place
   * (so that a replay to another upstream rewrites them again): every header but the hop-by-hop
   * ones, {@code :authority} set to {@code authority} (the mesh service; null keeps the caller's),
   * {@code grpc-timeout} set to what is left of the call's deadline ({@code remainingNanos}, or
   * none when the call has none).
   */
  static Http2Headers upstreamRequest(Http2Headers fromCaller, String authority,
      Long remainingNanos) {
    stripHopByHop(fromCaller);
    if (authority != null) {
      fromCaller.authority(authority);
    }
    if (remainingNanos != null) {
      fromCaller.set(GRPC_TIMEOUT, formatTimeout(Math.max(1, remainingNanos)));
    } else {
      fromCaller.remove(GRPC_TIMEOUT);
    }
    return fromCaller;
  }

  /** Response headers or trailers as the caller gets them: without hop-by-hop headers. */
  static Http2Headers response(Http2Headers fromUpstream, String upstream) {
    stripHopByHop(fromUpstream);
    if (upstream != null) {
      fromUpstream.set(UPSTREAM, upstream);
    }
    return fromUpstream;
  }

  /**
   * Whether a header of {@code name} is sent as a never-indexed literal: {@code grpc-timeout},
   * whose value is new in every request. Indexed, each call would insert it into the HPACK
   * dynamic tables of both ends of the connection and evict the entries that do repeat.
   */
  static boolean neverIndexed(CharSequence name, CharSequence value) {
    return GRPC_TIMEOUT.contentEquals(name);
  }

  /** Removes the hop-by-hop headers; one pass over the names, removing only what is there. */
  private static void stripHopByHop(Http2Headers headers) {
    for (Map.Entry<CharSequence, CharSequence> header : headers) {
      if (isHopByHop(header.getKey())) {
        HOP_BY_HOP.forEach(headers::remove);
        return;
      }
    }
  }

  private static boolean isHopByHop(CharSequence name) {
    return switch (name.length()) {
      case 4, 7, 10, 16, 17 -> HOP_BY_HOP.contains(AsciiString.of(name));
      default -> false;
    };
  }

  /**
   * A trailers-only response carrying {@code status} (for a call the relay ends itself), naming
   * the upstream instance when there was one.
   */
  static Http2Headers trailersOnly(Status status, String upstream) {
    Http2Headers headers = new DefaultHttp2Headers(false, 5)
        .status(STATUS_OK)
        .set(CONTENT_TYPE, APPLICATION_GRPC);
    addStatus(headers, status);
    if (upstream != null) {
      headers.set(UPSTREAM, upstream);
    }
    return headers;
  }

  /** Trailers carrying {@code status}, after response headers. */
  static Http2Headers trailers(Status status) {
    Http2Headers headers = new DefaultHttp2Headers(false, 2);
    addStatus(headers, status);
    return headers;
  }

  /** The status code in {@code trailers}; UNKNOWN when it is missing or not a number. */
  static Status.Code statusCode(Http2Headers trailers) {
    CharSequence value = trailers.get(GRPC_STATUS);
    if (value == null) {
      return Status.Code.UNKNOWN;
    }
    try {
      return Status.fromCodeValue(Integer.parseInt(value.toString())).getCode();
    } catch (NumberFormatException e) {
      return Status.Code.UNKNOWN;
    }
  }

  /**
   * The nanoseconds of a {@code grpc-timeout} value (1 to 8 digits and a unit of H, M, S, m, u,
   * n), or null when {@code value} is null.
   *
   * @throws IllegalArgumentException when it is malformed
   */
  static Long parseTimeout(CharSequence value) {
    if (value == null) {
      return null;
    }
    int length = value.length();
    if (length < 2 || length > 9) {
      throw new IllegalArgumentException("grpc-timeout \"" + value
          + "\" is malformed (expected: 1 to 8 digits and a unit of H, M, S, m, u, n)");
    }
    long amount = 0;
    for (int i = 0; i < length - 1; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        throw new IllegalArgumentException("grpc-timeout \"" + value
            + "\" is malformed (expected: 1 to 8 digits and a unit of H, M, S, m, u, n)");
      }
      amount = amount * 10 + (c - '0');
    }
    TimeUnit unit = switch (value.charAt(length - 1)) {
      case 'H' -> TimeUnit.HOURS;
      case 'M' -> TimeUnit.MINUTES;
      case 'S' -> TimeUnit.SECONDS;
      case 'm' -> TimeUnit.MILLISECONDS;
      case 'u' -> TimeUnit.MICROSECONDS;
      case 'n' -> TimeUnit.NANOSECONDS;
      default -> throw new IllegalArgumentException("grpc-timeout \"" + value
          + "\" has an unknown unit (expected: H, M, S, m, u, n)");
    };
    return unit.toNanos(amount);
  }

  /** {@code nanos} (positive) as a {@code grpc-timeout} value, in the finest unit that fits. */
  static String formatTimeout(long nanos) {
    if (nanos <= MAX_TIMEOUT_VALUE) {
      return nanos + "n";
    }
    long[] divisors = {1_000L, 1_000_000L, 1_000_000_000L, 60_000_000_000L, 3_600_000_000_000L};
    char[] units = {'u', 'm', 'S', 'M', 'H'};
    for (int i = 0; i < divisors.length; i++) {
      long value = nanos / divisors[i];
      if (value <= MAX_TIMEOUT_VALUE) {
        return value + String.valueOf(units[i]);
      }
    }
    return MAX_TIMEOUT_VALUE + "H";
  }

  private static void addStatus(Http2Headers headers, Status status) {
    headers.set(GRPC_STATUS, Integer.toString(status.getCode().value()));
    if (status.getDescription() != null) {
      headers.set(GRPC_MESSAGE, percentEncoded(status.getDescription()));
    }
  }

  /** {@code grpc-message}'s encoding: UTF-8, with bytes outside printable ASCII and '%' as %XX. */
  static String percentEncoded(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    StringBuilder encoded = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      if (b >= ' ' && b < '%' || b > '%' && b <= '~') {
        encoded.append((char) b);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      }
    }
    return encoded.toString();
  }
}
