package io.weft.sidecar.balancer;

import java.net.SocketAddress;

/**
 * Where the balancer records, for one call, the endpoint it picked. A caller that wants to know
 * (the proxy, for the {@code x-weft-upstream} header and per-instance metrics) puts a fresh holder
 * in the call's options under {@link MeshCallOptions#PICKED_UPSTREAM}; the picker fills it in.
 * With retries the last pick wins.
 */
public final class PickedUpstream {

  private volatile String service;
  private volatile String instanceId;
  private volatile SocketAddress address;

  /** Records the pick; called by the picker. */
  public void record(String service, String instanceId, SocketAddress address) {
    this.service = service;
    this.instanceId = instanceId;
    this.address = address;
  }

  /** The picked endpoint's mesh service, or null before a pick. */
  public String service() {
    return service;
  }

  /** The picked endpoint's instance id, or null before a pick. */
  public String instanceId() {
    return instanceId;
  }

  /**
   * The picked endpoint's address, or null before a pick. Read from any thread, unlike the
   * subchannel's addresses, which grpc-java gives only in the channel's synchronization context.
   */
  public SocketAddress address() {
    return address;
  }

  /** {@code service/instance-id}, or null before a pick. */
  public String describe() {
    String id = instanceId;
    return id == null ? null : service + "/" + id;
  }
}
