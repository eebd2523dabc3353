package io.weft.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.base.Ticker;
import io.weft.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RatePacerTest {

  private final FakeClock clock = new FakeClock();
  private final List<Runnable> inFlight = new ArrayList<>();
  private final AtomicInteger launched = new AtomicInteger();
  private final AtomicInteger skipped = new AtomicInteger();

  private RatePacer pacer(long rate, int concurrency) {
    return new RatePacer(
        rate,
        concurrency,
        clock.ticker(),
        clock.scheduler(),
        onDone -> {
          launched.incrementAndGet();
          inFlight.add(onDone);
        },
        skipped::incrementAndGet);
  }

  private void completeAll() {
    List<Runnable> done = new ArrayList<>(inFlight);
    inFlight.clear();
    done.forEach(Runnable::run);
  }

  @Test
  void start_launchesRateCallsPerSecond_whenCallsEndInTime() {
    RatePacer pacer = pacer(50, 4);
    pacer.start();

    for (int tick = 0; tick < 100; tick++) {
      clock.forward(10, TimeUnit.MILLISECONDS);
      completeAll();
    }

    assertThat(launched.get()).as("calls due at 0, 20 ms, ..., 1000 ms").isEqualTo(51);
    assertThat(skipped.get()).isZero();
    pacer.stop();
  }

  @Test
  void tick_allSlotsBusy_skipsDueCalls() throws Exception {
    RatePacer pacer = pacer(100, 2);
    pacer.start();

    clock.forward(1, TimeUnit.SECONDS);

    assertThat(launched.get()).isEqualTo(2);
    assertThat(skipped.get()).isEqualTo(99);
    assertThat(pacer.inFlight()).isEqualTo(2);
    assertThat(pacer.awaitIdle(Duration.ZERO)).isFalse();

    completeAll();

    assertThat(pacer.inFlight()).isZero();
    assertThat(pacer.awaitIdle(Duration.ZERO)).isTrue();
    pacer.stop();
  }

  @Test
  void stop_startsNoMoreCalls() {
    RatePacer pacer = pacer(100, 10);
    pacer.start();
    clock.forward(10, TimeUnit.MILLISECONDS);
    completeAll();
    int before = launched.get();

    pacer.stop();
    clock.forward(1, TimeUnit.SECONDS);

    assertThat(launched.get()).isEqualTo(before);
    assertThat(clock.pendingTaskCount()).isZero();
  }

  @Test
  void constructor_rateOutOfRange_rejectedNamingIt() {
    assertThatThrownBy(() -> pacer(0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate: 0 (expected: 1..1000000 calls per second)");
  }

  @Test
  void constructor_concurrencyOutOfRange_rejectedNamingIt() {
    assertThatThrownBy(
            () -> new RatePacer(1, 0, Ticker.systemTicker(), clock.scheduler(), d -> {}, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("concurrency: 0 (expected: 1..100000)");
  }
}
