package io.pgquorum.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PrimaryWatchTest {
  private static final long S = 1_000_000_000L;

  @Test
  void aQuietClusterCountsNothing() {
    PrimaryWatch w = new PrimaryWatch();
    for (int i = 0; i < 10; i++) {
      w.sample(i * S / 2, 1, 3);
    }
    w.finish(5 * S);
    assertThat(w.primaryChanges()).isZero();
    assertThat(w.promotions()).isZero();
    assertThat(w.secondsWithoutPrimary()).isZero();
    assertThat(w.samples()).isEqualTo(10);
    assertThat(w.sawTimeline()).isTrue();
  }

  @Test
  void aFailoverIsAChangeAPromotionAndAGap() {
    PrimaryWatch w = new PrimaryWatch();
    w.sample(0, 0, 1);
    w.sample(S, -1, -1);
    w.sample(2 * S, -1, -1);
    w.sample(4 * S, 2, 2);
    w.sample(5 * S, 2, 2);
    w.finish(6 * S);
    assertThat(w.primaryChanges()).isEqualTo(1);
    assertThat(w.promotions()).isEqualTo(1);
    assertThat(w.secondsWithoutPrimary()).isCloseTo(3.0, within(1e-9));
    assertThat(w.longestSecondsWithoutPrimary()).isCloseTo(3.0, within(1e-9));
    assertThat(w.samplesWithoutPrimary()).isEqualTo(2);
  }

  @Test
  void theSameNodeWinningItsLockBackIsStillAPromotion() {
    PrimaryWatch w = new PrimaryWatch();
    w.sample(0, 1, 4);
    w.sample(S, -1, -1);
    w.sample(2 * S, 1, 5);
    w.sample(3 * S, 1, 7); // two more, one of them between samples
    w.finish(4 * S);
    assertThat(w.primaryChanges()).isZero();
    assertThat(w.promotions()).isEqualTo(3);
    assertThat(w.secondsWithoutPrimary()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void aGapStillOpenAtTheEndCountsUpToTheEnd() {
    PrimaryWatch w = new PrimaryWatch();
    w.sample(0, 0, 1);
    w.sample(S, -1, -1);
    w.sample(3 * S, 1, 2);
    w.sample(4 * S, -1, -1);
    w.finish(10 * S);
    assertThat(w.secondsWithoutPrimary()).isCloseTo(8.0, within(1e-9));
    assertThat(w.longestSecondsWithoutPrimary()).isCloseTo(6.0, within(1e-9));
    // A timeline that was never read proves nothing about promotions.
    PrimaryWatch blind = new PrimaryWatch();
    blind.sample(0, 0, -1);
    assertThat(blind.sawTimeline()).isFalse();
  }
}
