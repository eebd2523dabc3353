package io.weft.sidecar.discovery;

import com.google.rpc.Code;
import io.weft.mesh.v1.DiscoveryRequest;
import io.weft.mesh.v1.Instance;
import io.weft.mesh.v1.KnownService;
import io.weft.mesh.v1.Node;
import io.weft.mesh.v1.ServiceEndpoints;
import java.util.Collection;
import java.util.Map;

/** Builds the requests the discovery client sends. */
final class DiscoveryRequests {

  private DiscoveryRequests() {}

  /**
   * A stream's first request: the node, every watched name, and the instance ids held per
   * service, so that a control plane that has just started can tell what this sidecar had.
   */
  static DiscoveryRequest first(
      Node node,
      Collection<String> services,
      Collection<String> routes,
      Map<String, ServiceEndpoints> held) {
    DiscoveryRequest.Builder request =
        DiscoveryRequest.newBuilder()
            .setNode(node)
            .addAllServiceNamesSubscribe(services)
            .addAllRouteNamesSubscribe(routes);
    held.forEach(
        (service, endpoints) -> {
          KnownService.Builder known = KnownService.newBuilder();
          for (Instance instance : endpoints.getInstancesList()) {
            known.addInstanceIds(instance.getInstanceId());
          }
          request.putInitialServiceState(service, known.build());
        });
    return request.build();
  }

  /** Adds one name to the subscription. */
  static DiscoveryRequest subscribe(ResourceKind kind, String name) {
    DiscoveryRequest.Builder request = DiscoveryRequest.newBuilder();
    switch (kind) {
      case SERVICE -> request.addServiceNamesSubscribe(name);
      case ROUTE -> request.addRouteNamesSubscribe(name);
    }
    return request.build();
  }

  /** Removes one name from the subscription. */
  static DiscoveryRequest unsubscribe(ResourceKind kind, String name) {
    DiscoveryRequest.Builder request = DiscoveryRequest.newBuilder();
    switch (kind) {
      case SERVICE -> request.addServiceNamesUnsubscribe(name);
      case ROUTE -> request.addRouteNamesUnsubscribe(name);
    }
    return request.build();
  }

  /** Accepts the response with this nonce, which brought the sidecar to {@code version}. */
  static DiscoveryRequest ack(String nonce, String version) {
    return DiscoveryRequest.newBuilder().setResponseNonce(nonce).setVersionInfo(version).build();
  }

  /** Refuses the response with this nonce; the sidecar still holds {@code heldVersion}. */
  static DiscoveryRequest nack(String nonce, String heldVersion, String message) {
    return DiscoveryRequest.newBuilder()
        .setResponseNonce(nonce)
        .setVersionInfo(heldVersion)
        .setErrorDetail(
            com.google.rpc.Status.newBuilder()
                .setCode(Code.INVALID_ARGUMENT_VALUE)
                .setMessage(message))
        .build();
  }
}
