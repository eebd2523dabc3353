package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PairedDifferenceTest {

  @Test
  void intervalRank_matchesTheBinomialTables() {
    assertThat(PairedDifference.intervalRank(5)).isZero();
    assertThat(PairedDifference.intervalRank(6)).isEqualTo(1);
    assertThat(PairedDifference.intervalRank(10)).isEqualTo(2);
    assertThat(PairedDifference.intervalRank(20)).isEqualTo(6);
    assertThat(PairedDifference.intervalRank(40)).isEqualTo(14);
    assertThat(PairedDifference.intervalRank(100)).isEqualTo(40);
    assertThat(PairedDifference.intervalRank(5000)).isBetween(2430, 2432);
  }

  @Test
  void differencesAreTakenRoundByRound_notAfterSorting() {
    List<Long> baseline = List.of(100L, 500L, 300L, 200L, 400L, 600L);
    List<Long> path = List.of(90L, 490L, 290L, 190L, 390L, 590L);

    PairedDifference difference = PairedDifference.of(path, baseline);

    assertThat(difference.median()).isEqualTo(-10.0);
    assertThat(difference.notSlower()).isEqualTo(6);
    assertThat(difference.lower()).isEqualTo(-10);
    assertThat(difference.upper()).isEqualTo(-10);
    assertThat(difference.verdict()).isEqualTo("faster");
  }

  @Test
  void intervalOf40Rounds_isTheFourteenthSmallestToTheFourteenthLargest() {
    List<Long> baseline = Collections.nCopies(40, 0L);
    List<Long> path = LongStream.rangeClosed(-20, 19).boxed().toList();

    PairedDifference difference = PairedDifference.of(path, baseline);

    assertThat(difference.median()).isEqualTo(-0.5);
    assertThat(difference.lower()).isEqualTo(-7);
    assertThat(difference.upper()).isEqualTo(6);
    assertThat(difference.notSlower()).isEqualTo(21);
    assertThat(difference.verdict()).isEqualTo("level (the interval spans zero)");
  }

  @Test
  void anIntervalWhollyAboveZero_isSlower() {
    List<Long> baseline = Collections.nCopies(10, 100L);
    List<Long> path = List.of(101L, 102L, 103L, 104L, 105L, 106L, 107L, 108L, 109L, 90L);

    PairedDifference difference = PairedDifference.of(path, baseline);

    assertThat(difference.lower()).isEqualTo(1);
    assertThat(difference.upper()).isEqualTo(8);
    assertThat(difference.verdict()).isEqualTo("slower");
    assertThat(difference.describe("weft", "nginx")).isEqualTo("weft minus nginx, p50 round by "
        + "round: median +4.5 µs, 95 % interval [+1, +8] µs: slower; no slower in 1 of 10 rounds");
  }

  @Test
  void fewerThanSixRounds_giveNoInterval() {
    PairedDifference difference = PairedDifference.of(List.of(1L, 2L, 3L), List.of(0L, 0L, 0L));

    assertThat(difference.hasInterval()).isFalse();
    assertThat(difference.verdict()).isEqualTo("too few rounds for a 95 % interval");
  }

  @Test
  void unequalRounds_areRefused() {
    assertThatThrownBy(() -> PairedDifference.of(List.of(1L), List.of(1L, 2L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 against 2");
  }
}
