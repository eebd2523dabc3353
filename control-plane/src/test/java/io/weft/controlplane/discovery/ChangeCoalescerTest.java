package io.weft.controlplane.discovery;

import static io.weft.controlplane.discovery.FakeRegistry.instance;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChangeCoalescerTest {

  private final FakeClock clock = new FakeClock();
  private final FakeRegistry registry = new FakeRegistry();
  private final List<Runnable> fanOutTasks = new ArrayList<>();
  private final List<ChangeCoalescer.Batch> batches = new ArrayList<>();
  private final ChangeCoalescer coalescer =
      new ChangeCoalescer(
          clock.ticker(), clock.scheduler(), fanOutTasks::add, Duration.ofMillis(10), batches::add);

  @Test
  void add_neverDispatchesOnTheCallersThread() {
    registry.addListener(coalescer::add);

    registry.register(instance("greeter", "g1"));
    clock.forward(10, TimeUnit.MILLISECONDS);

    assertThat(batches).isEmpty();
    assertThat(fanOutTasks).hasSize(1);
    fanOutTasks.get(0).run();
    assertThat(batches).hasSize(1);
  }

  @Test
  void burst_isOneBatchWithTheUnionOfNamesAndTheFirstArrival() {
    registry.addListener(coalescer::add);
    clock.forward(1, TimeUnit.MILLISECONDS);

    registry.register(instance("greeter", "g1", "helloworld.Greeter"));
    clock.forward(9, TimeUnit.MILLISECONDS);
    registry.register(instance("billing", "b1"));
    assertThat(fanOutTasks).isEmpty();
    clock.forward(1, TimeUnit.MILLISECONDS);
    fanOutTasks.forEach(Runnable::run);

    assertThat(batches)
        .containsExactly(
            new ChangeCoalescer.Batch(
                Set.of("greeter", "billing"),
                Set.of("helloworld.Greeter"),
                TimeUnit.MILLISECONDS.toNanos(1)));
  }

  @Test
  void changeAfterAFlush_startsANewWindow() {
    registry.addListener(coalescer::add);

    registry.register(instance("greeter", "g1"));
    clock.forward(10, TimeUnit.MILLISECONDS);
    registry.register(instance("greeter", "g2"));
    clock.forward(9, TimeUnit.MILLISECONDS);
    assertThat(fanOutTasks).hasSize(1);
    clock.forward(1, TimeUnit.MILLISECONDS);

    assertThat(fanOutTasks).hasSize(2);
  }

  @Test
  void close_dropsThePendingBatch() {
    registry.addListener(coalescer::add);
    registry.register(instance("greeter", "g1"));

    coalescer.close();
    registry.register(instance("greeter", "g2"));
    clock.forward(1, TimeUnit.SECONDS);

    assertThat(fanOutTasks).isEmpty();
    assertThat(clock.pendingTaskCount()).isZero();
  }
}
