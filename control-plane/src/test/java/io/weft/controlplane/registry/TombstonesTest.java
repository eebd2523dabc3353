package io.weft.controlplane.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TombstonesTest {

  private static final long TTL = TimeUnit.SECONDS.toNanos(10);

  private final Tombstones tombstones = new Tombstones();

  @Test
  void add_beyondTheCap_forgetsTheEldest() {
    for (int i = 0; i <= Tombstones.MAX_ENTRIES; i++) {
      tombstones.add(lease("lease-" + i), Tombstones.Reason.SUPERSEDED, i, 0);
    }

    assertThat(tombstones.size()).isEqualTo(Tombstones.MAX_ENTRIES);
    assertThat(tombstones.get("lease-0", 0)).isNull();
    assertThat(tombstones.get("lease-1", 0)).isNotNull();
    assertThat(tombstones.get("lease-" + Tombstones.MAX_ENTRIES, 0).revision())
        .isEqualTo(Tombstones.MAX_ENTRIES);
  }

  @Test
  void tombstone_expiresAfterTenTtls_andIsPrunedOnTheNextAdd() {
    tombstones.add(lease("old"), Tombstones.Reason.DEREGISTERED, 1, 0);

    assertThat(tombstones.get("old", 10 * TTL - 1).reason())
        .isEqualTo(Tombstones.Reason.DEREGISTERED);
    assertThat(tombstones.get("old", 10 * TTL)).isNull();
    tombstones.add(lease("new"), Tombstones.Reason.SUPERSEDED, 2, 10 * TTL);
    assertThat(tombstones.size()).isEqualTo(1);
  }

  private static Lease lease(String id) {
    Lease lease = new Lease(id, "greeter", "greeter-1");
    lease.ttlNanos = TTL;
    return lease;
  }
}
