package io.weft.sidecar.balancer;

import io.grpc.Attributes;
import io.grpc.ChannelLogger;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.util.ArrayList;
import java.util.List;

/** A subchannel whose connectivity the test drives; records what the balancer asks of it. */
final class FakeSubchannel extends LoadBalancer.Subchannel {

  private final LoadBalancer.CreateSubchannelArgs args;
  private final SynchronizationContext syncContext;
  private LoadBalancer.SubchannelStateListener listener;
  final List<List<EquivalentAddressGroup>> addressUpdates = new ArrayList<>();
  int connectionRequests;
  boolean shutdown;

  FakeSubchannel(LoadBalancer.CreateSubchannelArgs args, SynchronizationContext syncContext) {
    this.args = args;
    this.syncContext = syncContext;
  }

  /** The instance id of the address group the subchannel was created for. */
  String instanceId() {
    return args.getAddresses().get(0).getAttributes().get(MeshAttributes.INSTANCE_ID);
  }

  void setState(ConnectivityState state) {
    deliver(ConnectivityStateInfo.forNonError(state));
  }

  void fail(Status status) {
    deliver(ConnectivityStateInfo.forTransientFailure(status));
  }

  private void deliver(ConnectivityStateInfo state) {
    syncContext.execute(() -> {
      if (listener == null) {
        throw new AssertionError("subchannel not started");
      }
      listener.onSubchannelState(state);
    });
  }

  @Override
  public void start(LoadBalancer.SubchannelStateListener listener) {
    syncContext.throwIfNotInThisSynchronizationContext();
    if (this.listener != null) {
      throw new AssertionError("started twice");
    }
    this.listener = listener;
  }

  @Override
  public void shutdown() {
    syncContext.throwIfNotInThisSynchronizationContext();
    shutdown = true;
  }

  @Override
  public void requestConnection() {
    syncContext.throwIfNotInThisSynchronizationContext();
    connectionRequests++;
  }

  @Override
  public List<EquivalentAddressGroup> getAllAddresses() {
    return args.getAddresses();
  }

  @Override
  public Attributes getAttributes() {
    return args.getAttributes();
  }

  @Override
  public void updateAddresses(List<EquivalentAddressGroup> addresses) {
    syncContext.throwIfNotInThisSynchronizationContext();
    addressUpdates.add(addresses);
  }

  @Override
  public ChannelLogger getChannelLogger() {
    return FakeHelper.NoopChannelLogger.INSTANCE;
  }

  @Override
  public String toString() {
    return "FakeSubchannel{" + instanceId() + "}";
  }
}
