package io.weft.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FakeClockTest {

  private final FakeClock clock = new FakeClock();
  private final List<String> ran = new ArrayList<>();

  @Test
  void forward_runsDueTasksInDueOrderAndNotLaterOnes() {
    clock.scheduler().schedule(() -> ran.add("b"), 2, TimeUnit.SECONDS);
    clock.scheduler().schedule(() -> ran.add("a"), 1, TimeUnit.SECONDS);
    clock.scheduler().schedule(() -> ran.add("c"), 3, TimeUnit.SECONDS);

    assertThat(clock.forward(2, TimeUnit.SECONDS)).isEqualTo(2);

    assertThat(ran).containsExactly("a", "b");
    assertThat(clock.ticker().read()).isEqualTo(TimeUnit.SECONDS.toNanos(2));
    assertThat(clock.pendingTaskCount()).isEqualTo(1);
    assertThat(clock.nanosUntilNextTask()).isEqualTo(TimeUnit.SECONDS.toNanos(1));
  }

  @Test
  void forward_seesTheTaskDueTimeWhileItRuns() {
    List<Long> seen = new ArrayList<>();
    clock.scheduler().schedule(() -> seen.add(clock.currentTimeNanos()), 5, TimeUnit.MILLISECONDS);

    clock.forward(1, TimeUnit.SECONDS);

    assertThat(seen).containsExactly(TimeUnit.MILLISECONDS.toNanos(5));
  }

  @Test
  void cancel_keepsTaskFromRunning() {
    ScheduledFuture<?> future = clock.scheduler().schedule(() -> ran.add("x"), 1, TimeUnit.SECONDS);

    assertThat(future.cancel(false)).isTrue();
    clock.forward(1, TimeUnit.MINUTES);

    assertThat(ran).isEmpty();
    assertThat(clock.pendingTaskCount()).isZero();
  }

  @Test
  void fixedRate_runsOncePerPeriodUntilCancelled() {
    ScheduledFuture<?> future =
        clock.scheduler().scheduleAtFixedRate(() -> ran.add("tick"), 1, 1, TimeUnit.SECONDS);

    clock.forward(3, TimeUnit.SECONDS);
    future.cancel(false);
    clock.forward(3, TimeUnit.SECONDS);

    assertThat(ran).hasSize(3);
    assertThat(clock.pendingTaskCount()).isZero();
  }

  @Test
  void tasksScheduledByTasks_runWithinTheSameForwardWhenDue() {
    clock.scheduler()
        .schedule(
            () -> clock.scheduler().schedule(() -> ran.add("inner"), 1, TimeUnit.SECONDS),
            1,
            TimeUnit.SECONDS);

    clock.forward(2, TimeUnit.SECONDS);

    assertThat(ran).containsExactly("inner");
  }
}
