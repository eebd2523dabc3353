package io.weft.sidecar.proxy;

import io.grpc.netty.shaded.io.netty.util.AsciiString;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * The names a relayed call is routed by, parsed once per distinct header value: the mesh service
 * an {@code :authority} names ({@link Router#candidateService}) and the gRPC service of a {@code
 * :path} ({@code helloworld.Greeter} of {@code /helloworld.Greeter/SayHello}). Header values arrive
 * as {@link AsciiString}s, often the very instance held in the connection's HPACK table, so a
 * repeated value costs one hash lookup and no allocation. Bounded: past {@value #MAX_VALUES}
 * distinct values of a header, it starts over.
 */
final class RouteKeys {

  /** Most distinct values of each header remembered. */
  static final int MAX_VALUES = 1024;

  /** Stands for "no name" in the maps, which take no null values. */
  private static final String NO_NAME = "";

  private final ConcurrentMap<AsciiString, String> candidates = new ConcurrentHashMap<>();
  private final ConcurrentMap<AsciiString, String> grpcServices = new ConcurrentHashMap<>();

  /** The mesh service {@code authority} names, or null when it names none (or is null). */
  String candidate(CharSequence authority) {
    return authority == null ? null : parsed(candidates, authority,
        value -> Router.candidateService(value.toString()));
  }

  /** The valid gRPC service name of a {@code /service/method} {@code path}, or null. */
  String grpcService(CharSequence path) {
    return path == null ? null : parsed(grpcServices, path,
        value -> value.length() > 0 && value.charAt(0) == '/'
            ? Router.grpcServiceOf(value.subSequence(1, value.length()).toString())
            : null);
  }

  private static String parsed(ConcurrentMap<AsciiString, String> names, CharSequence value,
      Function<CharSequence, String> parse) {
    String name = names.get(AsciiString.of(value));
    if (name == null) {
      if (names.size() >= MAX_VALUES) {
        names.clear();
      }
      String parsedName = parse.apply(value);
      name = parsedName == null ? NO_NAME : parsedName;
      names.put(new AsciiString(value.toString()), name);
    }
    return name == NO_NAME ? null : name;
  }
}
