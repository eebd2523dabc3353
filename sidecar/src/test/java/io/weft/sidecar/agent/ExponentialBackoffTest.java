package io.weft.sidecar.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExponentialBackoffTest {

  private static final BackoffOptions OPTIONS =
      new BackoffOptions(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.2);

  @Test
  void growsByTheMultiplierUpToTheMax_withoutJitterAtTheMidpoint() {
    ExponentialBackoff backoff = new ExponentialBackoff(OPTIONS, fixed(0.5));

    assertThat(millis(backoff, 6)).containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L);
  }

  @Test
  void spreadsEachDelayByTheJitter() {
    assertThat(new ExponentialBackoff(OPTIONS, fixed(0.0)).nextDelayNanos())
        .isEqualTo(TimeUnit.MILLISECONDS.toNanos(80));
    assertThat(new ExponentialBackoff(OPTIONS, fixed(1.0)).nextDelayNanos())
        .isEqualTo(TimeUnit.MILLISECONDS.toNanos(120));
  }

  @Test
  void startsOver_afterReset() {
    ExponentialBackoff backoff = new ExponentialBackoff(OPTIONS, fixed(0.5));
    millis(backoff, 3);

    backoff.reset();

    assertThat(millis(backoff, 1)).containsExactly(100L);
  }

  @Test
  void rejectsOptionsOutOfRange_namingTheField() {
    assertThatThrownBy(() -> new BackoffOptions(Duration.ZERO, Duration.ofSeconds(1), 2, 0.2))
        .hasMessage("backoff.initial: PT0S (expected: > 0)");
    assertThatThrownBy(() -> new BackoffOptions(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0))
        .hasMessage("backoff.max: PT1S (expected: >= backoff.initial PT2S)");
    assertThatThrownBy(() -> new BackoffOptions(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5, 0))
        .hasMessage("backoff.multiplier: 0.5 (expected: >= 1)");
    assertThatThrownBy(() -> new BackoffOptions(Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1.5))
        .hasMessage("backoff.jitter: 1.5 (expected: 0..1)");
  }

  private static Long[] millis(ExponentialBackoff backoff, int count) {
    Long[] delays = new Long[count];
    for (int i = 0; i < count; i++) {
      delays[i] = TimeUnit.NANOSECONDS.toMillis(backoff.nextDelayNanos());
    }
    return delays;
  }

  private static Random fixed(double value) {
    return new Random() {
      @Override
      public double nextDouble() {
        return value;
      }
    };
  }
}
