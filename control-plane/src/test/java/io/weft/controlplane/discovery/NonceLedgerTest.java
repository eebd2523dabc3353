package io.weft.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NonceLedgerTest {

  private final NonceLedger ledger = new NonceLedger();

  @Test
  void record_givesUniqueNoncesAndTakeAnswersEachOnce() {
    NonceLedger.Sent first = ledger.record(3, List.of("greeter"), List.of());
    NonceLedger.Sent second = ledger.record(4, List.of(), List.of("a.B"));

    assertThat(first.nonce()).isNotEqualTo(second.nonce());
    assertThat(ledger.take(first.nonce())).isEqualTo(first);
    assertThat(ledger.take(first.nonce())).isNull();
    assertThat(ledger.take("unknown")).isNull();
    assertThat(ledger.take(second.nonce())).isEqualTo(second);
  }

  @Test
  void outstanding_isBoundedAndForgetsTheOldestFirst() {
    Set<String> nonces = new HashSet<>();
    String oldest = ledger.record(1, List.of("greeter"), List.of()).nonce();
    for (int i = 0; i < 100; i++) {
      nonces.add(ledger.record(i + 2, List.of("greeter"), List.of()).nonce());
    }

    assertThat(ledger.outstanding()).isEqualTo(NonceLedger.MAX_OUTSTANDING);
    assertThat(nonces).hasSize(100);
    assertThat(ledger.take(oldest)).isNull();
  }
}
