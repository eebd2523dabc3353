package io.weft.sidecar.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.weft.common.ProtoDurations;
import io.weft.sidecar.agent.AgentState;
import io.weft.sidecar.discovery.DiscoveryClientDump;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The body of {@code /config_dump}: what the control plane last pushed and how the sidecar
 * answered (versions, nonces, ACK or NACK, every held resource in the mesh API's JSON form), the
 * registration agent's state, and the sidecar's effective configuration.
 *
 * @param discovery the discovery client's state
 * @param agent the registration agent's state; null for a pure client
 * @param config the effective configuration
 */
public record ConfigDumpView(Discovery discovery, AgentState agent, Map<String, Object> config) {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().alwaysPrintFieldsWithNoPresence();

  /** Renders the dump, the agent state (empty for a pure client) and the config. */
  public static ConfigDumpView of(
      DiscoveryClientDump dump, Optional<AgentState> agent, Map<String, Object> config) {
    requireNonNull(dump, "dump");
    Map<String, JsonNode> services = new LinkedHashMap<>();
    dump.services().forEach((name, endpoints) -> services.put(name, json(endpoints)));
    Map<String, JsonNode> routes = new LinkedHashMap<>();
    dump.routes().forEach((name, route) -> routes.put(name, json(route)));
    Discovery discovery = new Discovery(
        dump.nodeId(),
        dump.controlPlaneTarget(),
        dump.connected(),
        dump.controlPlaneId(),
        dump.lastReceivedVersion(),
        dump.lastReceivedNonce(),
        dump.lastAckedVersion(),
        lastResponse(dump),
        dump.lastNack(),
        dump.sinceLastResponse() == null ? null
            : ProtoDurations.describe(Duration.ofMillis(dump.sinceLastResponse().toMillis())),
        dump.subscribedServices().asList(),
        dump.subscribedRoutes().asList(),
        services,
        routes,
        dump.counts());
    return new ConfigDumpView(discovery, agent.orElse(null), config);
  }

  private static String lastResponse(DiscoveryClientDump dump) {
    if (dump.lastReceivedNonce().isEmpty()) {
      return "NONE";
    }
    DiscoveryClientDump.Nack nack = dump.lastNack();
    return nack != null && nack.nonce().equals(dump.lastReceivedNonce()) ? "NACKED" : "ACKED";
  }

  /** Checks the parts. */
  public ConfigDumpView {
    requireNonNull(discovery, "discovery");
    requireNonNull(config, "config");
  }

  private static JsonNode json(MessageOrBuilder message) {
    try {
      return MAPPER.readTree(PRINTER.print(message));
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + message.getClass().getSimpleName(), e);
    }
  }

  /**
   * The discovery client's side of the dump.
   *
   * @param nodeId the sidecar's node id
   * @param controlPlane the control plane's address
   * @param connected whether a stream is open and answered
   * @param controlPlaneId the control-plane process of the last response
   * @param lastReceivedVersion version of the last response received
   * @param lastReceivedNonce nonce of the last response received
   * @param lastAckedVersion version of the last response accepted
   * @param lastResponse {@code ACKED} or {@code NACKED}: how the last response was answered;
   *     {@code NONE} before any
   * @param lastNack the last refused response, or null
   * @param sinceLastResponse time since the last response, to the millisecond, such as {@code
   *     1.5s}; null before one
   * @param subscribedServices every watched mesh service
   * @param subscribedRoutes every watched gRPC service route
   * @param services every held endpoint set, as the mesh API's JSON
   * @param routes every held route, as the mesh API's JSON
   * @param counts responses, ACKs, NACKs and reconnects so far
   */
  public record Discovery(
      String nodeId,
      String controlPlane,
      boolean connected,
      String controlPlaneId,
      String lastReceivedVersion,
      String lastReceivedNonce,
      String lastAckedVersion,
      String lastResponse,
      DiscoveryClientDump.Nack lastNack,
      String sinceLastResponse,
      List<String> subscribedServices,
      List<String> subscribedRoutes,
      Map<String, JsonNode> services,
      Map<String, JsonNode> routes,
      DiscoveryClientDump.Counts counts) {}
}
