package io.weft.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProtoDurationsTest {

  @Test
  void toJavaAndBack_roundTrips() {
    for (Duration duration :
        new Duration[] {
          Duration.ZERO, Duration.ofMillis(1500), Duration.ofMillis(-1500), Duration.ofSeconds(300)
        }) {
      assertThat(ProtoDurations.toJava(ProtoDurations.toProto(duration))).isEqualTo(duration);
    }
    assertThat(ProtoDurations.toProto(Duration.ofMillis(-1500)))
        .isEqualTo(proto(-1, -500_000_000));
  }

  @Test
  void isValid_rejectsNanosOutOfRangeOrOfTheOtherSign() {
    assertThat(ProtoDurations.isValid(proto(1, 1_000_000_000))).isFalse();
    assertThat(ProtoDurations.isValid(proto(1, -1))).isFalse();
    assertThat(ProtoDurations.isValid(proto(-1, 1))).isFalse();
    assertThat(ProtoDurations.isValid(proto(315_576_000_001L, 0))).isFalse();
    assertThat(ProtoDurations.isValid(proto(0, -1))).isTrue();
    assertThatThrownBy(() -> ProtoDurations.toJava(proto(1, -1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duration: 1s-1ns");
  }

  @Test
  void describe_isShortAndReadable() {
    assertThat(ProtoDurations.describe(Duration.ofSeconds(30))).isEqualTo("30s");
    assertThat(ProtoDurations.describe(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(ProtoDurations.describe(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(ProtoDurations.describe(Duration.ofNanos(1))).isEqualTo("0.000000001s");
    assertThat(ProtoDurations.describe(Duration.ofMillis(-1500))).isEqualTo("-1.5s");
  }

  private static com.google.protobuf.Duration proto(long seconds, int nanos) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(seconds).setNanos(nanos).build();
  }
}
