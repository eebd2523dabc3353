package io.weft.sidecar.balancer;

/**
 * Where the balancer records, for one call, the endpoint it picked. A caller that wants to know
 * (the proxy, for the {@code x-weft-upstream} header and per-instance metrics) puts a holder in
 * the call's options under {@link MeshCallOptions#PICKED_UPSTREAM}; the picker fills it in. With
 * retries the last pick wins.
 */
public final class PickedUpstream {

  private volatile PickedEndpoint endpoint;

  /** Records the pick; called by the picker. */
  public void record(PickedEndpoint picked) {
    this.endpoint = picked;
  }

  /** Forgets the last pick, so that the holder can serve another call. */
  public void clear() {
    this.endpoint = null;
  }

  /** The picked endpoint, or null before a pick. */
  public PickedEndpoint endpoint() {
    return endpoint;
  }

  /** The picked endpoint's instance id, or null before a pick. */
  public String instanceId() {
    PickedEndpoint picked = endpoint;
    return picked == null ? null : picked.instanceId();
  }

  /** {@code service/instance-id}, or null before a pick. */
  public String describe() {
    PickedEndpoint picked = endpoint;
    return picked == null ? null : picked.describe();
  }
}
