package io.weft.sidecar.proxy;

import io.grpc.Channel;

/**
 * Gives the outbound proxy the channel that reaches a mesh service. In the sidecar each channel is
 * a {@code mesh:///<service>} channel (the mesh resolver and balancer pick the instance per call
 * and fill the {@link io.weft.sidecar.balancer.MeshCallOptions#PICKED_UPSTREAM} holder). The
 * implementation owns the channels: it creates, caches and shuts them down.
 */
@FunctionalInterface
public interface UpstreamChannels {

  /**
   * The channel for {@code service}, a mesh service name (a DNS-1123 label). Called once per routed
   * call; must not block. May throw to refuse the service; the call then fails with UNAVAILABLE.
   */
  Channel channelFor(String service);
}
