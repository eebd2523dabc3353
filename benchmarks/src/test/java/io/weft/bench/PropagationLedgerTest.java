package io.weft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PropagationLedgerTest {

  private static final long START = TimeUnit.SECONDS.toNanos(100);

  private final PropagationLedger ledger = new PropagationLedger();

  @Test
  void completeIsTheSlowestArrival_whateverOrderSidecarsReplayIn() {
    ledger.started("svc", "i-1", true, Set.of("a", "b"), false, START);

    ledger.observed("a", "svc", Set.of("i-1"), START + millis(30));
    ledger.observed("b", "svc", Set.of("i-1"), START + millis(10));

    assertThat(ledger.delivery().getTotalCount()).isEqualTo(2);
    assertThat(ledger.complete().getTotalCount()).isEqualTo(1);
    assertThat(ledger.complete().getMaxValue()).isBetween(29_900L, 30_100L);
    assertThat(ledger.pending()).isZero();
  }

  @Test
  void aRemovalCountsOnlyOnceTheInstanceIsGone_andReceiptsBeforeTheChangeAreIgnored() {
    ledger.started("svc", "i-1", false, Set.of("a"), true, START);

    ledger.observed("a", "svc", Set.of(), START - millis(5));
    ledger.observed("a", "svc", Set.of("i-1"), START + millis(5));
    assertThat(ledger.pending()).isEqualTo(1);

    ledger.observed("a", "svc", Set.of(), START + millis(8));
    assertThat(ledger.pending()).isZero();
    assertThat(ledger.hotComplete().getMaxValue()).isBetween(7_990L, 8_010L);
    assertThat(ledger.delivery().getTotalCount()).isZero();
  }

  @Test
  void aChangeNobodySubscribesToIsNotAwaited() {
    ledger.started("svc", "i-1", true, Set.of(), false, START);

    assertThat(ledger.pending()).isZero();
  }

  private static long millis(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}
