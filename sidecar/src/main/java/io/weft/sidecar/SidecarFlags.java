package io.weft.sidecar;

import io.grpc.Status;
import io.weft.common.DurationConverter;
import io.weft.common.ProtoDurations;
import io.weft.sidecar.SidecarConfig.LocalApp;
import io.weft.sidecar.balancer.MeshServiceConfig;
import io.weft.sidecar.balancer.MeshServiceConfig.RetryPolicy;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The sidecar's flags, each also read from an environment variable {@code WEFT_<FLAG>} (picocli
 * {@code ${env:...}} defaults), and their translation to a checked {@link SidecarConfig}. A mixin
 * of {@link SidecarMain}.
 */
final class SidecarFlags {

  @Option(names = "--service", paramLabel = "<name>", defaultValue = "${env:WEFT_SERVICE}",
      description = "Mesh service of the local app: a DNS-1123 label. Required with"
          + " --app-port; for a pure client optional, it only names the node."
          + " Env WEFT_SERVICE. Default: none.")
  String service;

  @Option(names = "--instance-id", paramLabel = "<id>", defaultValue = "${env:WEFT_INSTANCE_ID}",
      description = "Instance id of the local app (in Kubernetes the pod name): 1..253"
          + " printable ASCII characters, no spaces. Required with --app-port."
          + " Env WEFT_INSTANCE_ID. Default: none.")
  String instanceId;

  @Option(names = "--app-address", paramLabel = "<address>",
      defaultValue = "${env:WEFT_APP_ADDRESS:-127.0.0.1}",
      description = "Address of the local app. Env WEFT_APP_ADDRESS. Default: ${DEFAULT-VALUE}.")
  String appAddress;

  @Option(names = "--app-port", paramLabel = "<port>", defaultValue = "${env:WEFT_APP_PORT}",
      description = "gRPC port of the local app. Without it the sidecar is a pure client: no"
          + " registration, no inbound proxy. Env WEFT_APP_PORT. Default: none.")
  Integer appPort;

  @Option(names = "--advertise-address", paramLabel = "<address>",
      defaultValue = "${env:WEFT_ADVERTISE_ADDRESS}",
      description = "Address callers dial (in Kubernetes the pod IP). Env"
          + " WEFT_ADVERTISE_ADDRESS. Default: the first non-loopback IPv4 address of the host,"
          + " else 127.0.0.1.")
  String advertiseAddress;

  @Option(names = "--advertise-port", paramLabel = "<port>",
      defaultValue = "${env:WEFT_ADVERTISE_PORT}",
      description = "Port callers dial; required with --inbound-port -1 (then usually the app"
          + " port). Env WEFT_ADVERTISE_PORT. Default: the inbound port.")
  Integer advertisePort;

  @Option(names = "--zone", paramLabel = "<zone>", defaultValue = "${env:WEFT_ZONE:-}",
      description = "Zone of this sidecar and its instance; calls prefer endpoints of the same"
          + " zone. Env WEFT_ZONE; a non-empty WEFT_POD_ZONE (the pod's"
          + " topology.kubernetes.io/zone label) takes precedence. Default: unknown.")
  String zone;

  @Option(names = "--weight", paramLabel = "<1..1000>", defaultValue = "${env:WEFT_WEIGHT:-100}",
      description = "Relative share of calls the instance gets: 1..1000. Env WEFT_WEIGHT."
          + " Default: ${DEFAULT-VALUE}.")
  int weight;

  @Option(names = "--metadata", paramLabel = "k=v", split = ",",
      defaultValue = "${env:WEFT_METADATA}",
      description = "Label of the instance; repeatable. Env WEFT_METADATA (comma-separated"
          + " k=v). Default: none.")
  Map<String, String> metadata;

  @Option(names = "--grpc-service", paramLabel = "name", split = ",",
      defaultValue = "${env:WEFT_GRPC_SERVICE}",
      description = "gRPC service the app serves (such as helloworld.Greeter), registered when"
          + " the app has no server reflection; repeatable. Env WEFT_GRPC_SERVICE"
          + " (comma-separated). Default: from reflection.")
  List<String> grpcServices;

  @Option(names = "--control-plane", paramLabel = "host:port",
      defaultValue = "${env:WEFT_CONTROL_PLANE:-localhost:15010}",
      description = "Address of the control plane's gRPC port (registration and discovery)."
          + " Env WEFT_CONTROL_PLANE. Default: ${DEFAULT-VALUE}.")
  String controlPlane;

  @Option(names = "--outbound-port", paramLabel = "<port>",
      defaultValue = "${env:WEFT_OUTBOUND_PORT:-15001}",
      description = "Port of the outbound proxy the app dials; 0 picks a free one."
          + " Env WEFT_OUTBOUND_PORT. Default: ${DEFAULT-VALUE}.")
  int outboundPort;

  @Option(names = "--inbound-port", paramLabel = "<port>",
      defaultValue = "${env:WEFT_INBOUND_PORT:-15006}",
      description = "Port of the inbound proxy in front of the app (bound on 0.0.0.0); 0 picks"
          + " a free one; -1 runs none (callers dial --advertise-port). Env WEFT_INBOUND_PORT."
          + " Default: ${DEFAULT-VALUE}.")
  int inboundPort;

  @Option(names = "--admin-port", paramLabel = "<port>",
      defaultValue = "${env:WEFT_ADMIN_PORT:-15000}",
      description = "Port of the admin HTTP server (bound on 0.0.0.0 for the kubelet's"
          + " probes); 0 picks a free one. Env WEFT_ADMIN_PORT. Default: ${DEFAULT-VALUE}.")
  int adminPort;

  @Option(names = "--bind-address", paramLabel = "<address>",
      defaultValue = "${env:WEFT_BIND_ADDRESS:-127.0.0.1}",
      description = "Address the outbound proxy binds. Env WEFT_BIND_ADDRESS."
          + " Default: ${DEFAULT-VALUE}.")
  String bindAddress;

  @Option(names = "--lb-policy", paramLabel = "<policy>",
      defaultValue = "${env:WEFT_LB_POLICY:-round_robin}",
      description = "How calls pick an endpoint: round_robin (weighted) or least_request"
          + " (power of two choices). Env WEFT_LB_POLICY. Default: ${DEFAULT-VALUE}.")
  String lbPolicy;

  @Option(names = "--service-lb-policy", paramLabel = "service=policy", split = ",",
      defaultValue = "${env:WEFT_SERVICE_LB_POLICY}",
      description = "--lb-policy for one mesh service; repeatable. Env WEFT_SERVICE_LB_POLICY"
          + " (comma-separated). Default: none.")
  Map<String, String> serviceLbPolicies;

  @Option(names = "--min-local-healthy-percent", paramLabel = "<0..100>",
      defaultValue = "${env:WEFT_MIN_LOCAL_HEALTHY_PERCENT:-70}",
      description = "With a zone, calls stay in it while at least this share (0..100) of its"
          + " serving endpoints is pickable. Env WEFT_MIN_LOCAL_HEALTHY_PERCENT."
          + " Default: ${DEFAULT-VALUE}.")
  int minLocalHealthyPercent;

  @Option(names = "--outlier-detection", arity = "1", paramLabel = "true|false",
      defaultValue = "${env:WEFT_OUTLIER_DETECTION:-true}",
      description = "Eject endpoints that fail most calls for a while (grpc-java's outlier"
          + " detection). Env WEFT_OUTLIER_DETECTION. Default: ${DEFAULT-VALUE}.")
  boolean outlierDetection;

  @Option(names = "--retry-attempts", paramLabel = "<1..5>",
      defaultValue = "${env:WEFT_RETRY_ATTEMPTS:-1}",
      description = "Attempts per call, 1..5, retrying UNAVAILABLE; 1 means no retries. Above 1"
          + " the outbound proxy forwards through grpc-java calls (which replay requests)"
          + " instead of relaying HTTP/2 frames. Env WEFT_RETRY_ATTEMPTS."
          + " Default: ${DEFAULT-VALUE}.")
  int retryAttempts;

  @Option(names = "--request-timeout", paramLabel = "<duration>",
      converter = DurationConverter.class,
      defaultValue = "${env:WEFT_REQUEST_TIMEOUT}",
      description = "Deadline of calls that carry none (e.g. 500ms, 10s). Env"
          + " WEFT_REQUEST_TIMEOUT. Default: none.")
  Duration requestTimeout;

  @Option(names = "--max-message-size", paramLabel = "<size>", converter = ByteSizeConverter.class,
      defaultValue = "${env:WEFT_MAX_MESSAGE_SIZE:-4MiB}",
      description = "Largest message the proxies pass (e.g. 4194304 or 4MiB); larger gets"
          + " RESOURCE_EXHAUSTED. Env WEFT_MAX_MESSAGE_SIZE. Default: ${DEFAULT-VALUE}.")
  int maxMessageSize;

  @Option(names = "--io-threads", paramLabel = "<1..64>",
      defaultValue = "${env:WEFT_IO_THREADS:-1}",
      description = "Event-loop threads the proxies share, 1..64. One keeps both legs of a"
          + " proxied call on one thread (lowest latency); more add throughput to a busy"
          + " sidecar. Env WEFT_IO_THREADS. Default: ${DEFAULT-VALUE}.")
  int ioThreads;

  @Option(names = "--lease-ttl", paramLabel = "<duration>", converter = DurationConverter.class,
      defaultValue = "${env:WEFT_LEASE_TTL}",
      description = "Lease TTL to ask for, 1s..300s. Env WEFT_LEASE_TTL."
          + " Default: the control plane's.")
  Duration leaseTtl;

  @Option(names = "--drain-timeout", paramLabel = "<duration>", converter = DurationConverter.class,
      defaultValue = "${env:WEFT_DRAIN_TIMEOUT:-10s}",
      description = "How long a drain waits for the control plane to confirm that every caller"
          + " stopped picking the instance. Env WEFT_DRAIN_TIMEOUT. Default: ${DEFAULT-VALUE}.")
  Duration drainTimeout;

  @Option(names = "--drain-inflight-timeout", paramLabel = "<duration>",
      converter = DurationConverter.class,
      defaultValue = "${env:WEFT_DRAIN_INFLIGHT_TIMEOUT:-20s}",
      description = "How long a drain then waits for calls in flight to finish. Env"
          + " WEFT_DRAIN_INFLIGHT_TIMEOUT. Default: ${DEFAULT-VALUE}.")
  Duration drainInflightTimeout;

  @Option(names = "--node-id", paramLabel = "<id>", defaultValue = "${env:WEFT_NODE_ID}",
      description = "Identity of this sidecar process towards the control plane: 1..253"
          + " printable ASCII characters, no spaces. Env WEFT_NODE_ID."
          + " Default: <service>/<instance-id>/<8 random hex digits>.")
  String nodeId;

  /** Checks every flag and builds the config; {@code podZone} wins over --zone if not empty. */
  SidecarConfig toConfig(FlagChecks check, String podZone) {
    String name = orEmpty(service);
    String instance = orEmpty(instanceId);
    if (!name.isEmpty()) {
      check.serviceName("--service", name);
    }
    if (!instance.isEmpty()) {
      check.id("--instance-id", instance);
    }
    String effectiveZone = podZone != null && !podZone.isBlank()
        ? check.zone("WEFT_POD_ZONE", podZone.trim())
        : check.zone("--zone", zone.trim());
    SidecarConfig.Builder config = SidecarConfig.builder()
        .identity(name, instance)
        .zone(effectiveZone)
        .controlPlane(check.hostAndPort("--control-plane", controlPlane))
        .outbound(check.address("--bind-address", bindAddress),
            check.range("--outbound-port", outboundPort, 0, 65535))
        .admin("0.0.0.0", check.range("--admin-port", adminPort, 0, 65535))
        .maxMessageSize(maxMessageSize)
        .ioThreads(check.range("--io-threads", ioThreads, 1, SidecarConfig.MAX_IO_THREADS));
    MeshServiceConfig.Builder mesh = meshConfig(check, effectiveZone);
    config.meshConfig(mesh.policy(check.policy("--lb-policy", lbPolicy)).build());
    Map<String, MeshServiceConfig> perService = new LinkedHashMap<>();
    orEmpty(serviceLbPolicies).forEach((svc, policy) -> perService.put(
        check.serviceName("--service-lb-policy", svc),
        mesh.policy(check.policy("--service-lb-policy", policy)).build()));
    config.serviceConfigs(perService);
    if (nodeId != null) {
      config.nodeId(check.id("--node-id", nodeId));
    }
    if (appPort != null) {
      config.app(localApp(check, name, instance));
    }
    return config.build();
  }

  private MeshServiceConfig.Builder meshConfig(FlagChecks check, String localZone) {
    check.range("--retry-attempts", retryAttempts, 1, 5);
    return MeshServiceConfig.builder()
        .localZone(localZone)
        .minLocalHealthyPercent(
            check.range("--min-local-healthy-percent", minLocalHealthyPercent, 0, 100))
        .outlierDetection(outlierDetection)
        .retryPolicy(retryAttempts == 1 ? null : new RetryPolicy(retryAttempts,
            Duration.ofMillis(100), Duration.ofSeconds(1), 2.0,
            EnumSet.of(Status.Code.UNAVAILABLE)))
        .timeout(requestTimeout == null ? null
            : check.positive("--request-timeout", requestTimeout));
  }

  private LocalApp localApp(FlagChecks check, String name, String instance) {
    if (name.isEmpty()) {
      throw check.raw("--service", "none", "a mesh service name when --app-port is given");
    }
    if (instance.isEmpty()) {
      throw check.raw("--instance-id", "none", "an instance id when --app-port is given");
    }
    if (inboundPort == LocalApp.NO_INBOUND && advertisePort == null) {
      throw check.raw("--advertise-port", "none",
          "a port when --inbound-port is -1: callers dial the app directly");
    }
    check.positive("--drain-timeout", drainTimeout);
    check.positive("--drain-inflight-timeout", drainInflightTimeout);
    if (drainTimeout.plus(drainInflightTimeout).compareTo(Duration.ofSeconds(300)) > 0) {
      throw check.raw("--drain-timeout + --drain-inflight-timeout",
          ProtoDurations.describe(drainTimeout.plus(drainInflightTimeout)), "at most 300s");
    }
    return LocalApp.builder(check.address("--app-address", appAddress),
            check.range("--app-port", appPort, 1, 65535))
        .inbound("0.0.0.0", check.range("--inbound-port", inboundPort, -1, 65535))
        .advertise(advertiseAddress != null
                ? check.address("--advertise-address", advertiseAddress)
                : LocalAddresses.firstNonLoopbackIpv4().orElse("127.0.0.1"),
            advertisePort == null ? 0 : check.range("--advertise-port", advertisePort, 1, 65535))
        .weight(check.range("--weight", weight, 1, 1000))
        .metadata(check.metadata("--metadata", orEmpty(metadata)))
        .grpcServices(check.grpcServices("--grpc-service", orEmpty(grpcServices)))
        .leaseTtl(leaseTtl == null ? null : check.between("--lease-ttl", leaseTtl,
            Duration.ofSeconds(1), Duration.ofSeconds(300)))
        .drainTimeouts(drainTimeout, drainInflightTimeout)
        .build();
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value.trim();
  }

  private static <K, V> Map<K, V> orEmpty(Map<K, V> value) {
    return value == null ? Map.of() : value;
  }

  private static <T> List<T> orEmpty(List<T> value) {
    return value == null ? List.of() : value;
  }
}
