package io.weft.sidecar.balancer;

import static java.util.Objects.requireNonNull;

import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.LoadBalancer.SubchannelPicker;
import io.grpc.Status;
import java.util.Objects;

/**
 * Fails every pick with one status, as grpc-java's pickers do in TRANSIENT_FAILURE: calls without
 * wait-for-ready fail with it, wait-for-ready calls keep waiting. Equal to another failing picker
 * with the same code and description ({@link Status} itself has no value equality).
 */
final class FailingPicker extends SubchannelPicker {

  private final Status status;

  FailingPicker(Status status) {
    this.status = requireNonNull(status, "status");
    if (status.isOk()) {
      throw new IllegalArgumentException("status: OK (expected: an error)");
    }
  }

  Status status() {
    return status;
  }

  @Override
  public PickResult pickSubchannel(PickSubchannelArgs args) {
    return PickResult.withError(status);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FailingPicker that
        && status.getCode() == that.status.getCode()
        && Objects.equals(status.getDescription(), that.status.getDescription());
  }

  @Override
  public int hashCode() {
    return Objects.hash(status.getCode(), status.getDescription());
  }

  @Override
  public String toString() {
    return "FailingPicker{" + status + "}";
  }
}
