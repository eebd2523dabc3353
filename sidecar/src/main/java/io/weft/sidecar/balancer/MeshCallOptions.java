package io.weft.sidecar.balancer;

import io.grpc.CallOptions;

/** {@link CallOptions} keys the mesh balancer reads. */
public final class MeshCallOptions {

  /** A holder the picker fills with the endpoint it picked for the call. */
  public static final CallOptions.Key<PickedUpstream> PICKED_UPSTREAM =
      CallOptions.Key.create("weft-picked-upstream");

  private MeshCallOptions() {}
}
