package io.weft.sidecar.balancer;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.weft.mesh.v1.HealthStatus;

/**
 * The attributes the mesh resolver attaches and the mesh balancer reads. Each key is declared once
 * here: {@link Attributes.Key} compares by reference.
 *
 * <p>Per address ({@link EquivalentAddressGroup#getAttributes()}): {@link #INSTANCE_ID}, {@link
 * #ZONE}, {@link #WEIGHT}, {@link #HEALTH}. Per resolution result ({@link
 * NameResolver.ResolutionResult#getAttributes()}): {@link #SERVICE} and, when the channel has one,
 * {@link #CLUSTER_STATS}.
 */
public final class MeshAttributes {

  /** The instance id of the endpoint, unique within its service. */
  @EquivalentAddressGroup.Attr
  public static final Attributes.Key<String> INSTANCE_ID =
      Attributes.Key.create("weft.mesh.instance-id");

  /** The endpoint's zone; empty when unknown. */
  @EquivalentAddressGroup.Attr
  public static final Attributes.Key<String> ZONE = Attributes.Key.create("weft.mesh.zone");

  /** The endpoint's relative weight, 1..1000. */
  @EquivalentAddressGroup.Attr
  public static final Attributes.Key<Integer> WEIGHT = Attributes.Key.create("weft.mesh.weight");

  /** The endpoint's health as the control plane last pushed it. Only SERVING is picked. */
  @EquivalentAddressGroup.Attr
  public static final Attributes.Key<HealthStatus> HEALTH =
      Attributes.Key.create("weft.mesh.health");

  /** The mesh service the addresses belong to. */
  @NameResolver.ResolutionResultAttr
  public static final Attributes.Key<String> SERVICE = Attributes.Key.create("weft.mesh.service");

  /** Where the balancer counts picks and in-flight calls; absent when the channel has none. */
  @NameResolver.ResolutionResultAttr
  public static final Attributes.Key<ClusterStats> CLUSTER_STATS =
      Attributes.Key.create("weft.mesh.cluster-stats");

  private MeshAttributes() {}
}
