package io.weft.sidecar;

import static java.util.Objects.requireNonNull;

import com.google.common.net.HostAndPort;
import io.weft.common.BackoffOptions;
import io.weft.common.ProtoDurations;
import io.weft.sidecar.balancer.MeshServiceConfig;
import io.weft.sidecar.proxy.ProxyServerConfig;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything a {@link Sidecar} runs with. Immutable; build with {@link #builder()}, where every
 * setting but the control plane has a default. {@code SidecarMain} validates each flag and names it
 * in its errors; this record checks only what holds the wiring together (ports in range, an
 * advertised port when there is no inbound proxy), and the parts check the rest as they start.
 *
 * @param service the local mesh service; empty for a pure client that gives no name
 * @param instanceId the local instance id; empty for a pure client that gives none
 * @param nodeId this sidecar process's identity towards the control plane
 * @param zone the zone of this sidecar; empty when unknown
 * @param controlPlane {@code host:port} of the control plane
 * @param outboundAddress the outbound proxy's bind address
 * @param outboundPort the outbound proxy's port; 0 picks a free one
 * @param adminAddress the admin HTTP server's bind address
 * @param adminPort the admin HTTP server's port; 0 picks a free one
 * @param app the local app, or null for a pure client (no registration, no inbound proxy)
 * @param meshConfig the service config of every mesh channel without its own
 * @param serviceConfigs per-service service configs, by mesh service name
 * @param maxMessageSize the largest message the proxies pass, in bytes
 * @param ioThreads the event-loop threads the proxies share, 1..64
 * @param backoff the reconnection delays towards the control plane
 */
public record SidecarConfig(
    String service,
    String instanceId,
    String nodeId,
    String zone,
    HostAndPort controlPlane,
    String outboundAddress,
    int outboundPort,
    String adminAddress,
    int adminPort,
    LocalApp app,
    MeshServiceConfig meshConfig,
    Map<String, MeshServiceConfig> serviceConfigs,
    int maxMessageSize,
    int ioThreads,
    BackoffOptions backoff) {

  /** The most event-loop threads the proxies may have. */
  public static final int MAX_IO_THREADS = 64;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Checks the fields the wiring relies on. */
  public SidecarConfig {
    requireNonNull(service, "service");
    requireNonNull(instanceId, "instanceId");
    requireNonNull(nodeId, "nodeId");
    requireNonNull(zone, "zone");
    requireNonNull(controlPlane, "controlPlane");
    requireNonNull(outboundAddress, "outboundAddress");
    requireNonNull(adminAddress, "adminAddress");
    requireNonNull(meshConfig, "meshConfig");
    serviceConfigs = Map.copyOf(requireNonNull(serviceConfigs, "serviceConfigs"));
    requireNonNull(backoff, "backoff");
    if (!controlPlane.hasPort()) {
      throw new IllegalArgumentException(
          "controlPlane: \"" + controlPlane + "\" (expected: host:port)");
    }
    checkPort("outboundPort", outboundPort, 0);
    checkPort("adminPort", adminPort, 0);
    if (maxMessageSize < 1) {
      throw new IllegalArgumentException("maxMessageSize: " + maxMessageSize + " (expected: >= 1)");
    }
    if (ioThreads < 1 || ioThreads > MAX_IO_THREADS) {
      throw new IllegalArgumentException(
          "ioThreads: " + ioThreads + " (expected: 1.." + MAX_IO_THREADS + ")");
    }
    if (app != null && (service.isEmpty() || instanceId.isEmpty())) {
      throw new IllegalArgumentException("service, instanceId: \"" + service + "\", \""
          + instanceId + "\" (expected: both set when there is a local app)");
    }
  }

  /** A builder with the defaults of the command line. */
  public static Builder builder() {
    return new Builder();
  }

  /** The local app, if there is one. */
  public Optional<LocalApp> localApp() {
    return Optional.ofNullable(app);
  }

  /** {@code service/instance-id}, with {@code -} for what is not set: how logs name the sidecar. */
  public String label() {
    return orDash(service) + "/" + orDash(instanceId);
  }

  /** This config as the JSON tree {@code /config_dump} shows. */
  public Map<String, Object> describe() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("service", service);
    json.put("instanceId", instanceId);
    json.put("nodeId", nodeId);
    json.put("zone", zone);
    json.put("controlPlane", controlPlane.toString());
    json.put("outbound", HostAndPort.fromParts(outboundAddress, outboundPort).toString());
    json.put("admin", HostAndPort.fromParts(adminAddress, adminPort).toString());
    if (app != null) {
      json.put("app", app.describe());
    }
    json.put("serviceConfig", meshConfig.toServiceConfig());
    Map<String, Object> perService = new TreeMap<>();
    serviceConfigs.forEach((name, config) -> perService.put(name, config.toServiceConfig()));
    json.put("serviceConfigs", perService);
    json.put("maxMessageSize", maxMessageSize);
    json.put("ioThreads", ioThreads);
    Map<String, Object> reconnect = new LinkedHashMap<>();
    reconnect.put("initial", ProtoDurations.describe(backoff.initial()));
    reconnect.put("max", ProtoDurations.describe(backoff.max()));
    reconnect.put("multiplier", backoff.multiplier());
    reconnect.put("jitter", backoff.jitter());
    json.put("backoff", reconnect);
    return json;
  }

  /** {@code <service>/<instance-id>/<8 random hex digits>}, unique per process. */
  static String defaultNodeId(String service, String instanceId) {
    return (service.isEmpty() ? "client" : service) + "/" + orDash(instanceId) + "/"
        + HexFormat.of().toHexDigits(RANDOM.nextInt());
  }

  private static String orDash(String value) {
    return value.isEmpty() ? "-" : value;
  }

  private static void checkPort(String name, int port, int min) {
    if (port < min || port > 65535) {
      throw new IllegalArgumentException(name + ": " + port + " (expected: " + min + "..65535)");
    }
  }

  /**
   * The app beside the sidecar: where the sidecar reaches it, the inbound proxy in front of it and
   * what the registration agent registers for it.
   *
   * @param address where the sidecar reaches the app
   * @param port the app's gRPC port
   * @param inboundAddress the inbound proxy's bind address
   * @param inboundPort the inbound proxy's port; 0 picks a free one; {@link #NO_INBOUND} for none
   * @param advertiseAddress the address callers dial
   * @param advertisePort the port callers dial; 0 means the inbound proxy's port
   * @param weight the instance's weight, 1..1000
   * @param metadata the instance's labels
   * @param grpcServices gRPC service names to register when the app has no server reflection
   * @param leaseTtl the lease TTL to ask for, or null for the control plane's default
   * @param drainConfirmTimeout how long a drain waits for every caller to stop picking the instance
   * @param inFlightDrainTimeout how long a drain waits for the calls in progress to finish
   */
  public record LocalApp(
      String address,
      int port,
      String inboundAddress,
      int inboundPort,
      String advertiseAddress,
      int advertisePort,
      int weight,
      Map<String, String> metadata,
      List<String> grpcServices,
      Duration leaseTtl,
      Duration drainConfirmTimeout,
      Duration inFlightDrainTimeout) {

    /** {@link #inboundPort()} when there is no inbound proxy. */
    public static final int NO_INBOUND = -1;

    /** Checks the fields the wiring relies on. */
    public LocalApp {
      requireNonNull(address, "address");
      requireNonNull(inboundAddress, "inboundAddress");
      requireNonNull(advertiseAddress, "advertiseAddress");
      metadata = Map.copyOf(requireNonNull(metadata, "metadata"));
      grpcServices = List.copyOf(requireNonNull(grpcServices, "grpcServices"));
      requireNonNull(drainConfirmTimeout, "drainConfirmTimeout");
      requireNonNull(inFlightDrainTimeout, "inFlightDrainTimeout");
      checkPort("app.port", port, 1);
      checkPort("app.inboundPort", inboundPort, NO_INBOUND);
      checkPort("app.advertisePort", advertisePort, 0);
      if (inboundPort == NO_INBOUND && advertisePort == 0) {
        throw new IllegalArgumentException("app.advertisePort: 0 (expected: 1..65535 when there"
            + " is no inbound proxy: the port callers dial, usually the app's)");
      }
    }

    /** A builder of a local app at {@code address:port}, with the command line's defaults. */
    public static LocalAppBuilder builder(String address, int port) {
      return new LocalAppBuilder(address, port);
    }

    /** Whether an inbound proxy runs in front of the app. */
    public boolean hasInbound() {
      return inboundPort != NO_INBOUND;
    }

    Map<String, Object> describe() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("address", HostAndPort.fromParts(address, port).toString());
      json.put("inbound", hasInbound()
          ? HostAndPort.fromParts(inboundAddress, inboundPort).toString() : "none");
      json.put("advertise", advertisePort == 0 ? advertiseAddress + " (inbound port)"
          : HostAndPort.fromParts(advertiseAddress, advertisePort).toString());
      json.put("weight", weight);
      json.put("metadata", new TreeMap<>(metadata));
      json.put("grpcServices", grpcServices);
      json.put("leaseTtl",
          leaseTtl == null ? "control plane default" : ProtoDurations.describe(leaseTtl));
      json.put("drainConfirmTimeout", ProtoDurations.describe(drainConfirmTimeout));
      json.put("inFlightDrainTimeout", ProtoDurations.describe(inFlightDrainTimeout));
      return json;
    }
  }

  /** Builds a {@link LocalApp}; the defaults are the command line's. */
  public static final class LocalAppBuilder {
    private final String address;
    private final int port;
    private String inboundAddress = "0.0.0.0";
    private int inboundPort = 15006;
    private String advertiseAddress = "127.0.0.1";
    private int advertisePort;
    private int weight = 100;
    private Map<String, String> metadata = Map.of();
    private List<String> grpcServices = List.of();
    private Duration leaseTtl;
    private Duration drainConfirmTimeout = Duration.ofSeconds(10);
    private Duration inFlightDrainTimeout = Duration.ofSeconds(20);

    private LocalAppBuilder(String address, int port) {
      this.address = requireNonNull(address, "address");
      this.port = port;
    }

    /** Default {@code 0.0.0.0:15006}; port {@link LocalApp#NO_INBOUND} for no inbound proxy. */
    public LocalAppBuilder inbound(String address, int port) {
      this.inboundAddress = requireNonNull(address, "address");
      this.inboundPort = port;
      return this;
    }

    /** Default {@code 127.0.0.1} and port 0 (the inbound proxy's port). */
    public LocalAppBuilder advertise(String address, int port) {
      this.advertiseAddress = requireNonNull(address, "address");
      this.advertisePort = port;
      return this;
    }

    /** Default 100. */
    public LocalAppBuilder weight(int weight) {
      this.weight = weight;
      return this;
    }

    /** Default none. */
    public LocalAppBuilder metadata(Map<String, String> metadata) {
      this.metadata = requireNonNull(metadata, "metadata");
      return this;
    }

    /** Default none: server reflection tells. */
    public LocalAppBuilder grpcServices(List<String> grpcServices) {
      this.grpcServices = requireNonNull(grpcServices, "grpcServices");
      return this;
    }

    /** Default null: the control plane's default. */
    public LocalAppBuilder leaseTtl(Duration leaseTtl) {
      this.leaseTtl = leaseTtl;
      return this;
    }

    /** Defaults 10 s and 20 s. */
    public LocalAppBuilder drainTimeouts(Duration confirm, Duration inFlight) {
      this.drainConfirmTimeout = requireNonNull(confirm, "confirm");
      this.inFlightDrainTimeout = requireNonNull(inFlight, "inFlight");
      return this;
    }

    /** Validates and builds. */
    public LocalApp build() {
      return new LocalApp(address, port, inboundAddress, inboundPort, advertiseAddress,
          advertisePort, weight, metadata, grpcServices, leaseTtl, drainConfirmTimeout,
          inFlightDrainTimeout);
    }
  }

  /** Builds a {@link SidecarConfig}; the defaults are the command line's. */
  public static final class Builder {
    private String service = "";
    private String instanceId = "";
    private String nodeId;
    private String zone = "";
    private HostAndPort controlPlane = HostAndPort.fromParts("localhost", 15010);
    private String outboundAddress = "127.0.0.1";
    private int outboundPort = 15001;
    private String adminAddress = "0.0.0.0";
    private int adminPort = 15000;
    private LocalApp app;
    private MeshServiceConfig meshConfig = MeshServiceConfig.defaults();
    private Map<String, MeshServiceConfig> serviceConfigs = Map.of();
    private int maxMessageSize = ProxyServerConfig.DEFAULT_MAX_MESSAGE_SIZE;
    private int ioThreads = 1;
    private BackoffOptions backoff = BackoffOptions.DEFAULT;

    private Builder() {}

    /** The local service and instance id (empty strings for a pure client without a name). */
    public Builder identity(String service, String instanceId) {
      this.service = requireNonNull(service, "service");
      this.instanceId = requireNonNull(instanceId, "instanceId");
      return this;
    }

    /** Default: {@code <service>/<instance-id>/<8 random hex digits>}. */
    public Builder nodeId(String nodeId) {
      this.nodeId = requireNonNull(nodeId, "nodeId");
      return this;
    }

    /** Default: empty (unknown). */
    public Builder zone(String zone) {
      this.zone = requireNonNull(zone, "zone");
      return this;
    }

    /** Default: {@code localhost:15010}. */
    public Builder controlPlane(HostAndPort controlPlane) {
      this.controlPlane = requireNonNull(controlPlane, "controlPlane");
      return this;
    }

    /** Default: {@code 127.0.0.1:15001}. */
    public Builder outbound(String address, int port) {
      this.outboundAddress = requireNonNull(address, "address");
      this.outboundPort = port;
      return this;
    }

    /** Default: {@code 0.0.0.0:15000}. */
    public Builder admin(String address, int port) {
      this.adminAddress = requireNonNull(address, "address");
      this.adminPort = port;
      return this;
    }

    /** Default: none, a pure client. */
    public Builder app(LocalApp app) {
      this.app = app;
      return this;
    }

    /** Default: {@link MeshServiceConfig#defaults()}. */
    public Builder meshConfig(MeshServiceConfig meshConfig) {
      this.meshConfig = requireNonNull(meshConfig, "meshConfig");
      return this;
    }

    /** Default: none. */
    public Builder serviceConfigs(Map<String, MeshServiceConfig> serviceConfigs) {
      this.serviceConfigs = requireNonNull(serviceConfigs, "serviceConfigs");
      return this;
    }

    /** Default: 4 MiB. */
    public Builder maxMessageSize(int maxMessageSize) {
      this.maxMessageSize = maxMessageSize;
      return this;
    }

    /** Default: 1, every proxied connection on one event loop. */
    public Builder ioThreads(int ioThreads) {
      this.ioThreads = ioThreads;
      return this;
    }

    /** Default: {@link BackoffOptions#DEFAULT}. */
    public Builder backoff(BackoffOptions backoff) {
      this.backoff = requireNonNull(backoff, "backoff");
      return this;
    }

    /** Validates and builds. */
    public SidecarConfig build() {
      String id = nodeId != null ? nodeId : defaultNodeId(service, instanceId);
      return new SidecarConfig(service, instanceId, id, zone, controlPlane, outboundAddress,
          outboundPort, adminAddress, adminPort, app, meshConfig, serviceConfigs, maxMessageSize,
          ioThreads, backoff);
    }
  }
}
