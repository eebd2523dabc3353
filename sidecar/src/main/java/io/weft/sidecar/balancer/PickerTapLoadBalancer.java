package io.weft.sidecar.balancer;

import io.grpc.ConnectivityState;
import io.grpc.LoadBalancer;
import io.grpc.Status;
import io.grpc.util.ForwardingLoadBalancerHelper;
import io.grpc.util.GracefulSwitchLoadBalancer;

/**
 * The {@code weft_picker_tap} policy: runs its child policy unchanged and publishes each picker the
 * child hands the channel to the channel's {@link PickerTap} (from the name resolver args; without
 * one it only delegates).
 */
final class PickerTapLoadBalancer extends LoadBalancer {

  private final PickerTap tap;
  private final GracefulSwitchLoadBalancer child;

  PickerTapLoadBalancer(Helper helper) {
    this.tap = helper.getNameResolverArgs().getArg(PickerTap.KEY);
    this.child = new GracefulSwitchLoadBalancer(new ForwardingLoadBalancerHelper() {
      @Override
      protected Helper delegate() {
        return helper;
      }

      @Override
      public void updateBalancingState(ConnectivityState state, SubchannelPicker picker) {
        if (tap != null) {
          tap.publish(picker);
        }
        helper.updateBalancingState(state, picker);
      }
    });
  }

  @Override
  public Status acceptResolvedAddresses(ResolvedAddresses addresses) {
    PickerTapLoadBalancerProvider.Config config =
        (PickerTapLoadBalancerProvider.Config) addresses.getLoadBalancingPolicyConfig();
    return child.acceptResolvedAddresses(
        addresses.toBuilder().setLoadBalancingPolicyConfig(config.child()).build());
  }

  @Override
  public void handleNameResolutionError(Status error) {
    child.handleNameResolutionError(error);
  }

  @Override
  public void requestConnection() {
    child.requestConnection();
  }

  @Override
  public void shutdown() {
    child.shutdown();
    if (tap != null) {
      tap.balancerStopped();
    }
  }
}
