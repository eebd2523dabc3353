package io.weft.sidecar.balancer;

import static java.util.Objects.requireNonNull;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.weft.mesh.v1.HealthStatus;

/**
 * What the resolver says about one endpoint, read from its {@link MeshAttributes}. Addresses from
 * another resolver carry none of them; they read as SERVING, weight {@value #DEFAULT_WEIGHT}, no
 * zone, and their address as instance id, so that {@code weft_mesh} balances any target.
 *
 * @param instanceId the instance id
 * @param zone the zone; empty when unknown
 * @param weight the relative weight, clamped to 1..{@value #MAX_WEIGHT}
 * @param health the health the control plane last pushed
 */
record EndpointInfo(String instanceId, String zone, int weight, HealthStatus health) {

  static final int DEFAULT_WEIGHT = 100;
  static final int MAX_WEIGHT = 1000;

  EndpointInfo {
    requireNonNull(instanceId, "instanceId");
    requireNonNull(zone, "zone");
    requireNonNull(health, "health");
    weight = Math.max(1, Math.min(MAX_WEIGHT, weight));
  }

  static EndpointInfo of(EquivalentAddressGroup group, String address) {
    Attributes attributes = group.getAttributes();
    String instanceId = attributes.get(MeshAttributes.INSTANCE_ID);
    String zone = attributes.get(MeshAttributes.ZONE);
    Integer weight = attributes.get(MeshAttributes.WEIGHT);
    HealthStatus health = attributes.get(MeshAttributes.HEALTH);
    return new EndpointInfo(
        instanceId != null ? instanceId : address,
        zone != null ? zone : "",
        weight != null ? weight : DEFAULT_WEIGHT,
        health != null ? health : HealthStatus.SERVING);
  }

  boolean serving() {
    return health == HealthStatus.SERVING;
  }

  @Override
  public String toString() {
    return "zone=" + (zone.isEmpty() ? "-" : zone) + " weight=" + weight + " health=" + health;
  }
}
