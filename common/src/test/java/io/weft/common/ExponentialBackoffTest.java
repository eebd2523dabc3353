package io.weft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.weft.testing.FixedRandom;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExponentialBackoffTest {

  private static final long MS = 1_000_000;

  @Test
  void delays_growByMultiplier_upToMax_withoutJitterAtMidpoint() {
    ExponentialBackoff backoff = new ExponentialBackoff(BackoffOptions.DEFAULT, FixedRandom.of(0.5));

    double[] expectedMillis = {100, 160, 256, 409.6, 655.36, 1048.576, 1677.7216, 2684.35456,
        4294.967296, 5000, 5000};
    for (double expected : expectedMillis) {
      assertThat(backoff.nextDelayNanos()).isCloseTo((long) (expected * MS), within(1L));
    }
  }

  @Test
  void jitter_spreadsEachDelay_butNeverAboveMax() {
    ExponentialBackoff high = new ExponentialBackoff(BackoffOptions.DEFAULT, FixedRandom.of(1.0));
    ExponentialBackoff low = new ExponentialBackoff(BackoffOptions.DEFAULT, FixedRandom.of(0.0));

    assertThat(high.nextDelayNanos()).isEqualTo(120 * MS);
    assertThat(low.nextDelayNanos()).isEqualTo(80 * MS);
    for (int i = 0; i < 20; i++) {
      assertThat(high.nextDelayNanos()).isLessThanOrEqualTo(5000 * MS);
      low.nextDelayNanos();
    }
    assertThat(low.nextDelayNanos()).isEqualTo(4000 * MS);
  }

  @Test
  void seededJitter_staysWithinTwentyPercent() {
    ExponentialBackoff backoff = new ExponentialBackoff(BackoffOptions.DEFAULT, new Random(42));

    double base = 100;
    for (int i = 0; i < 10; i++) {
      long delay = backoff.nextDelayNanos();
      assertThat(delay).isBetween((long) (base * 0.8 * MS), (long) (Math.min(base * 1.2, 5000)
          * MS));
      base = Math.min(base * 1.6, 5000);
    }
  }

  @Test
  void reset_startsAgainFromInitial() {
    ExponentialBackoff backoff = new ExponentialBackoff(BackoffOptions.DEFAULT, FixedRandom.of(0.5));
    backoff.nextDelayNanos();
    backoff.nextDelayNanos();

    backoff.reset();

    assertThat(backoff.nextDelayNanos()).isEqualTo(100 * MS);
  }

  @Test
  void options_rejectNonsense() {
    assertThatThrownBy(
            () -> new BackoffOptions(Duration.ZERO, Duration.ofSeconds(1), 1.6, 0.2))
        .hasMessage("initial: PT0S (expected: > 0)");
    assertThatThrownBy(
            () -> new BackoffOptions(Duration.ofSeconds(2), Duration.ofSeconds(1), 1.6, 0.2))
        .hasMessage("max: PT1S (expected: >= initial PT2S)");
    assertThatThrownBy(
            () -> new BackoffOptions(Duration.ofMillis(1), Duration.ofSeconds(1), 0.5, 0.2))
        .hasMessage("multiplier: 0.5 (expected: >= 1.0)");
    assertThatThrownBy(
            () -> new BackoffOptions(Duration.ofMillis(1), Duration.ofSeconds(1), 1.6, 1.0))
        .hasMessage("jitter: 1.0 (expected: 0.0 <= jitter < 1.0)");
  }
}
