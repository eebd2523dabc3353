package io.weft.sidecar;

import static java.util.Objects.requireNonNull;

import com.google.common.net.HostAndPort;
import io.weft.common.MeshNames;
import io.weft.common.ProtoDurations;
import io.weft.sidecar.balancer.MeshLoadBalancerConfig.Policy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of the sidecar's flag values. Each failure is a {@link ParameterException} whose message
 * names the flag, the value and what was expected: {@code --weight: 2000 (expected: 1..1000)}.
 */
final class FlagChecks {

  private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9._/-]{1,63}");
  private static final int MAX_METADATA_ENTRIES = 64;

  private final CommandSpec spec;

  FlagChecks(CommandSpec spec) {
    this.spec = requireNonNull(spec, "spec");
  }

  /** An error about a flag; a text value is quoted, a number is not. */
  ParameterException error(String flag, Object value, String expected) {
    return raw(flag,
        value instanceof String text ? MeshNames.quote(text) : String.valueOf(value), expected);
  }

  /** An error about a flag whose value is shown as given, unquoted. */
  ParameterException raw(String flag, String shownValue, String expected) {
    return new ParameterException(
        spec.commandLine(), flag + ": " + shownValue + " (expected: " + expected + ")");
  }

  int range(String flag, int value, int min, int max) {
    if (value < min || value > max) {
      throw error(flag, value, min + ".." + max);
    }
    return value;
  }

  String serviceName(String flag, String value) {
    if (!MeshNames.isServiceName(value)) {
      throw error(flag, value, MeshNames.SERVICE_NAME_EXPECTED);
    }
    return value;
  }

  String id(String flag, String value) {
    if (!MeshNames.isId(value, false)) {
      throw error(flag, value, "1..253 printable ASCII characters, no spaces");
    }
    return value;
  }

  String zone(String flag, String value) {
    if (!MeshNames.isZone(value)) {
      throw error(flag, value, MeshNames.ZONE_EXPECTED);
    }
    return value;
  }

  String address(String flag, String value) {
    if (value.isBlank()) {
      throw error(flag, value, "an IP address or a host name");
    }
    return value.trim();
  }

  HostAndPort hostAndPort(String flag, String value) {
    try {
      HostAndPort parsed = HostAndPort.fromString(value.trim());
      if (parsed.hasPort() && !parsed.getHost().isEmpty()) {
        return parsed;
      }
    } catch (IllegalArgumentException e) {
      // reported below, with what was expected
    }
    throw error(flag, value, "host:port, such as weft-control-plane:15010");
  }

  Policy policy(String flag, String value) {
    return Policy.fromJsonName(value)
        .orElseThrow(() -> error(flag, value, "round_robin or least_request"));
  }

  Map<String, String> metadata(String flag, Map<String, String> metadata) {
    if (metadata.size() > MAX_METADATA_ENTRIES) {
      throw raw(flag, metadata.size() + " entries", "at most " + MAX_METADATA_ENTRIES);
    }
    metadata.keySet().forEach(key -> {
      if (!METADATA_KEY.matcher(key).matches()) {
        throw error(flag, key, "keys of 1..63 characters of [A-Za-z0-9._/-], as k=v");
      }
    });
    return metadata;
  }

  List<String> grpcServices(String flag, List<String> names) {
    names.forEach(name -> {
      if (!MeshNames.isGrpcServiceName(name)) {
        throw error(flag, name, MeshNames.GRPC_SERVICE_NAME_EXPECTED);
      }
    });
    return names;
  }

  Duration positive(String flag, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw raw(flag, ProtoDurations.describe(value), "more than 0, such as 10s");
    }
    return value;
  }

  Duration between(String flag, Duration value, Duration min, Duration max) {
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw raw(flag, ProtoDurations.describe(value),
          ProtoDurations.describe(min) + ".." + ProtoDurations.describe(max));
    }
    return value;
  }
}
