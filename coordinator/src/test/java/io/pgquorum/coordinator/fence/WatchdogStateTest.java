package io.pgquorum.coordinator.fence;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The watchdog's deadline rules with a fake clock (nanoseconds as plain numbers). */
class WatchdogStateTest {
  static final long MS = 1_000_000L;
  final WatchdogState s = new WatchdogState();

  @Test
  void armedFencesOnceAtTheDeadlineCountedFromTheReadTime() {
    assertThat(s.receive("ARM 6000", 1_000 * MS).fenceNow()).isFalse();
    assertThat(s.waitNanos(1_000 * MS)).isEqualTo(6_000 * MS);
    assertThat(s.tick(6_999 * MS)).isFalse();
    assertThat(s.tick(7_000 * MS)).isTrue();
    assertThat(s.tick(7_001 * MS)).as("fences once, then is disarmed").isFalse();
    assertThat(s.armed()).isFalse();
    assertThat(s.waitNanos(8_000 * MS)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aNewerArmMovesTheDeadlineEitherWay() {
    s.receive("ARM 6000", 0);
    s.receive("ARM 6000", 1_000 * MS);
    assertThat(s.tick(6_500 * MS)).isFalse();
    assertThat(s.tick(7_000 * MS)).isTrue();
    s.receive("ARM 6000", 8_000 * MS);
    s.receive("ARM 100", 8_000 * MS); // the daemon's latest word wins, even when shorter
    assertThat(s.tick(8_100 * MS)).isTrue();
  }

  @Test
  void neverArmedOrDisarmedNeverFences() {
    assertThat(s.tick(Long.MAX_VALUE / 2)).isFalse();
    s.receive("ARM 10", 0);
    s.receive("DISARM", 5 * MS);
    assertThat(s.tick(1_000 * MS)).isFalse();
    assertThat(s.finished()).isFalse();
  }

  @Test
  void aLineReadAfterTheDeadlineFencesFirst() {
    s.receive("ARM 100", 0);
    WatchdogState.Step step = s.receive("ARM 6000", 150 * MS);
    assertThat(step.fenceNow()).as("the deadline passed before the refresh was read").isTrue();
    assertThat(s.armed()).as("the late ARM still applies").isTrue();
    assertThat(s.tick(6_100 * MS)).isFalse();
    assertThat(s.tick(6_150 * MS)).isTrue();
  }

  @Test
  void badLinesAreReportedAndChangeNothing() {
    s.receive("ARM 1000", 0);
    for (String bad : new String[] {"", "ARM", "ARM -5", "ARM 1e3", "ARM 99999999999999", "arm 10", "FENCE",
        "DISARM now", "ARM 10 20", "\u0000\u0001"}) {
      WatchdogState.Step step = s.receive(bad, 10 * MS);
      assertThat(step.fenceNow()).as(bad).isFalse();
      assertThat(step.problem()).as(bad).isPresent();
      assertThat(s.armed()).isTrue();
    }
    assertThat(s.tick(999 * MS)).isFalse();
    assertThat(s.tick(1_000 * MS)).isTrue();

    WatchdogState fresh = new WatchdogState();
    assertThat(fresh.receive("garbage", 0).fenceNow()).isFalse();
    assertThat(fresh.tick(Long.MAX_VALUE / 2)).as("a bad line never arms").isFalse();
  }

  @Test
  void endOfInputWhileArmedKeepsTheDeadlineThenFinishes() {
    s.receive("ARM 2000", 0);
    s.receive(null, 500 * MS);
    assertThat(s.finished()).isFalse();
    assertThat(s.tick(1_999 * MS)).isFalse();
    assertThat(s.tick(2_000 * MS)).isTrue();
    assertThat(s.finished()).isTrue();
  }

  @Test
  void endOfInputOrExitWhileDisarmedFinishesAtOnce() {
    s.receive(null, 0);
    assertThat(s.finished()).isTrue();

    WatchdogState other = new WatchdogState();
    other.receive("ARM 2000", 0);
    other.receive("DISARM", 1);
    other.receive("EXIT", 2);
    assertThat(other.finished()).isTrue();
  }

  @Test
  void exitWhileArmedBehavesLikeEndOfInputAndLaterLinesAreIgnored() {
    s.receive("ARM 2000", 0);
    s.receive("EXIT", 10 * MS);
    s.receive("DISARM", 20 * MS); // after EXIT nothing counts
    assertThat(s.finished()).isFalse();
    assertThat(s.tick(2_000 * MS)).isTrue();
    assertThat(s.finished()).isTrue();
  }
}
