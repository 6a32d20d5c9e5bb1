package io.pgquorum.jepsen.dcs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyRotationTest {
  @Test
  void aGroupMovesOnAfterItsOperationBudget() {
    KeyRotation keys = new KeyRotation("p", 2, 3);
    assertThat(keys.nextKey(0)).isEqualTo("p/g0/k0");
    assertThat(keys.nextKey(1)).isEqualTo("p/g0/k0");
    assertThat(keys.nextKey(0)).isEqualTo("p/g0/k0");
    assertThat(keys.nextKey(1)).isEqualTo("p/g0/k1");
    assertThat(keys.nextKey(2)).as("another group").isEqualTo("p/g1/k0");
  }

  @Test
  void aGroupMovesOnOnceTooManyWritesOnItsKeyEndedUnknown() {
    KeyRotation keys = new KeyRotation("p", 5, 1000);
    for (int i = 0; i < KeyRotation.MAX_UNKNOWN_PER_KEY; i++) {
      assertThat(keys.nextKey(i % 5)).isEqualTo("p/g0/k0");
      keys.unknownOutcome(i % 5, "p/g0/k0");
    }
    assertThat(keys.nextKey(0)).isEqualTo("p/g0/k1");
    // A late unknown outcome on the key the group left does not count against the new one.
    for (int i = 0; i < KeyRotation.MAX_UNKNOWN_PER_KEY; i++) {
      keys.unknownOutcome(1, "p/g0/k0");
    }
    assertThat(keys.nextKey(1)).isEqualTo("p/g0/k1");
  }
}
