package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.postgres.TimelineHistory.Entry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a stopped cluster can simply follow an upstream, and when it diverged. */
class TimelineHistoryTest {
  /** History of timeline 3: 1 ended at 0/3000000, 2 ended at 0/5000100. */
  private static final List<Entry> HISTORY_3 = TimelineHistory.parse(
      "1\t0/3000000\tno recovery target specified\n\n2\t0/5000100\tno recovery target specified\n");

  @Test
  void parsesHistoryFiles() {
    assertThat(HISTORY_3).containsExactly(new Entry(1, 0x3000000L), new Entry(2, 0x5000100L));
    assertThat(TimelineHistory.parse("# comment\ngarbage\n")).isEmpty();
  }

  /**
   * Issue 17, item 12: two promotions on different forks can make the same timeline number; the local history file
   * tells them apart. Timeline 3 whose timeline 2 ended at 0/5000000, not 0/5000100: another fork.
   */
  @Test
  void theSameTimelineNumberFromAnotherForkDiverged() {
    List<Entry> otherFork = List.of(new Entry(1, 0x3000000L), new Entry(2, 0x5000000L));
    assertThat(TimelineHistory.diverged(3, 0x5000000L, true, otherFork, 3, HISTORY_3)).isTrue();
    assertThat(TimelineHistory.diverged(3, 0x9000000L, true, HISTORY_3, 3, HISTORY_3)).isFalse();
    // An older timeline of another fork: timeline 2 that left timeline 1 at 0/2000000.
    assertThat(TimelineHistory.diverged(2, 0x2000000L, true, List.of(new Entry(1, 0x2000000L)), 3, HISTORY_3))
        .isTrue();
    assertThat(TimelineHistory.diverged(2, 0x4000000L, true, List.of(new Entry(1, 0x3000000L)), 3, HISTORY_3))
        .isFalse();
  }

  @Test
  void sameTimelineNeverDiverged() {
    assertThat(TimelineHistory.diverged(3, 0x9000000L, false, 3, HISTORY_3)).isFalse();
  }

  @Test
  void aheadOfTheUpstreamTimelineDiverged() {
    assertThat(TimelineHistory.diverged(4, 0x100L, false, 3, HISTORY_3)).isTrue();
  }

  @Test
  void formerPrimaryWhoseShutdownCheckpointTheNewPrimaryReceivedDidNotDiverge() {
    // clean switchover: the checkpoint record starts before the switch point (which is its end)
    assertThat(TimelineHistory.diverged(2, 0x5000000L, false, 3, HISTORY_3)).isFalse();
  }

  @Test
  void formerPrimaryThatWroteAtOrAfterTheSwitchPointDiverged() {
    assertThat(TimelineHistory.diverged(2, 0x5000100L, false, 3, HISTORY_3)).isTrue();
    assertThat(TimelineHistory.diverged(2, 0x6000000L, false, 3, HISTORY_3)).isTrue();
  }

  @Test
  void standbyReplayedUpToTheSwitchPointDidNotDiverge() {
    assertThat(TimelineHistory.diverged(1, 0x3000000L, true, 3, HISTORY_3)).isFalse();
    assertThat(TimelineHistory.diverged(1, 0x3000001L, true, 3, HISTORY_3)).isTrue();
  }

  @Test
  void timelineMissingFromTheUpstreamHistoryIsASiblingBranch() {
    List<Entry> history = TimelineHistory.parse("1\t0/3000000\tx\n2\t0/5000100\tx\n4\t0/7000000\tx\n");
    assertThat(TimelineHistory.diverged(3, 0x4000000L, false, 5, history)).isTrue();
  }
}
