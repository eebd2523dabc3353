package io.weft.sidecar.balancer;

import io.grpc.ChannelLogger;
import io.grpc.ConnectivityState;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer;
import io.grpc.ManagedChannel;
import io.grpc.SynchronizationContext;
import io.weft.testing.FakeClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * A channel as a balancer sees it: hands out {@link FakeSubchannel}s whose state the test drives,
 * records every published state and picker, and runs everything in a synchronization context
 * that records (and rethrows) any exception, so that a test can fail on it.
 */
final class FakeHelper extends LoadBalancer.Helper {

  /** One {@code updateBalancingState} call. */
  record Update(ConnectivityState state, LoadBalancer.SubchannelPicker picker) {}

  final FakeClock clock = new FakeClock();
  final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  final SynchronizationContext syncContext =
      new SynchronizationContext(
          (thread, error) -> {
            uncaught.add(error);
            throw new AssertionError("uncaught in the synchronization context", error);
          });
  final List<FakeSubchannel> subchannels = new ArrayList<>();
  final List<Update> updates = new ArrayList<>();
  int refreshes;

  /** Runs the task in the synchronization context and returns its result. */
  <T> T call(Supplier<T> task) {
    List<T> result = new ArrayList<>();
    syncContext.execute(() -> result.add(task.get()));
    return result.get(0);
  }

  void run(Runnable task) {
    syncContext.execute(task);
  }

  Update lastUpdate() {
    return updates.get(updates.size() - 1);
  }

  ConnectivityState state() {
    return lastUpdate().state();
  }

  LoadBalancer.SubchannelPicker picker() {
    return lastUpdate().picker();
  }

  /** The subchannel created for the instance id. */
  FakeSubchannel subchannel(String instanceId) {
    return subchannels.stream()
        .filter(s -> instanceId.equals(s.instanceId()))
        .reduce((first, second) -> {
          throw new AssertionError("two subchannels for " + instanceId);
        })
        .orElseThrow(() -> new AssertionError("no subchannel for " + instanceId));
  }

  @Override
  public LoadBalancer.Subchannel createSubchannel(LoadBalancer.CreateSubchannelArgs args) {
    syncContext.throwIfNotInThisSynchronizationContext();
    FakeSubchannel subchannel = new FakeSubchannel(args, syncContext);
    subchannels.add(subchannel);
    return subchannel;
  }

  @Override
  public void updateBalancingState(
      ConnectivityState newState, LoadBalancer.SubchannelPicker newPicker) {
    syncContext.throwIfNotInThisSynchronizationContext();
    if (newState == ConnectivityState.SHUTDOWN) {
      throw new AssertionError("a balancer must never publish SHUTDOWN");
    }
    updates.add(new Update(newState, newPicker));
  }

  @Override
  public void refreshNameResolution() {
    syncContext.throwIfNotInThisSynchronizationContext();
    refreshes++;
  }

  @Override
  public ManagedChannel createOobChannel(EquivalentAddressGroup eag, String authority) {
    throw new UnsupportedOperationException("createOobChannel");
  }

  @Override
  public SynchronizationContext getSynchronizationContext() {
    return syncContext;
  }

  @Override
  public ScheduledExecutorService getScheduledExecutorService() {
    return clock.scheduler();
  }

  @Override
  public String getAuthority() {
    return "svc";
  }

  @Override
  public ChannelLogger getChannelLogger() {
    return NoopChannelLogger.INSTANCE;
  }

  /** A channel logger that drops everything. */
  static final class NoopChannelLogger extends ChannelLogger {
    static final NoopChannelLogger INSTANCE = new NoopChannelLogger();

    @Override
    public void log(ChannelLogLevel level, String message) {}

    @Override
    public void log(ChannelLogLevel level, String messageFormat, Object... args) {}
  }
}
