package io.weft.sidecar.balancer;

import static java.util.Objects.requireNonNull;

import java.net.SocketAddress;

/**
 * An endpoint as a picker reports picking it: its mesh service, instance id and address, and the
 * {@code service/instance-id} that names it. Immutable; made once per endpoint in a picker, so
 * that recording a pick allocates nothing.
 */
public final class PickedEndpoint {

  private final String service;
  private final String instanceId;
  private final SocketAddress address;
  private final String description;

  /** The endpoint {@code instanceId} of {@code service}, at {@code address}. */
  public PickedEndpoint(String service, String instanceId, SocketAddress address) {
    this.service = requireNonNull(service, "service");
    this.instanceId = requireNonNull(instanceId, "instanceId");
    this.address = requireNonNull(address, "address");
    this.description = service + "/" + instanceId;
  }

  /** The endpoint's mesh service. */
  public String service() {
    return service;
  }

  /** The endpoint's instance id. */
  public String instanceId() {
    return instanceId;
  }

  /**
   * The endpoint's address. Read from any thread, unlike the subchannel's addresses, which
   * grpc-java gives only in the channel's synchronization context.
   */
  public SocketAddress address() {
    return address;
  }

  /** {@code service/instance-id}. */
  public String describe() {
    return description;
  }

  @Override
  public String toString() {
    return description + " at " + address;
  }
}
