package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The epochs of a data directory's line (docs/findings/sim-seed-74489957632632.md): a promotion or a streamed switch
 * continues the line, keeping the older timelines' epochs and dropping entries the data never reached.
 */
class TimelineEpochLineTest {
  private static TimelineEpoch e(int timeline, long epoch) {
    return new TimelineEpoch(timeline, epoch);
  }

  @Test
  void aPromotionKeepsTheOlderTimelinesEpochs() {
    TimelineEpochLine line = TimelineEpochLine.of(e(2, 61)).extendedWith(e(3, 70));
    assertThat(line.epochs()).containsExactly(e(2, 61), e(3, 70));
    assertThat(line.epochOf(2)).hasValue(61);
    assertThat(line.epochOf(3)).hasValue(70);
    assertThat(line.epochOf(1)).isEmpty(); // timeline 1 has no epoch
    assertThat(line.epochOf(4)).isEmpty();
    assertThat(line.newest()).contains(e(3, 70));
    assertThat(line).hasToString("2:61,3:70");
  }

  @Test
  void anEntryTheDataNeverReachedIsReplaced() {
    // A promotion recorded timeline 4 under token 80 and failed; the data later reached timeline 4 another way.
    TimelineEpochLine line = new TimelineEpochLine(List.of(e(2, 61), e(3, 70), e(4, 80))).extendedWith(e(4, 91));
    assertThat(line.epochs()).containsExactly(e(2, 61), e(3, 70), e(4, 91));
    assertThat(new TimelineEpochLine(List.of(e(2, 61), e(5, 80))).extendedWith(e(3, 70)).epochs())
        .containsExactly(e(2, 61), e(3, 70));
    assertThat(TimelineEpochLine.NONE.extendedWith(e(2, 11)).epochs()).containsExactly(e(2, 11));
  }

  @Test
  void slicesByTimeline() {
    TimelineEpochLine line = new TimelineEpochLine(List.of(e(2, 61), e(3, 70), e(5, 90)));
    assertThat(line.upTo(3).epochs()).containsExactly(e(2, 61), e(3, 70));
    assertThat(line.upTo(4).epochs()).containsExactly(e(2, 61), e(3, 70));
    assertThat(line.before(3).epochs()).containsExactly(e(2, 61));
    assertThat(line.after(3).epochs()).containsExactly(e(5, 90));
    assertThat(line.upTo(1).isEmpty()).isTrue();
    assertThat(TimelineEpochLine.NONE.newest()).isEmpty();
  }

  @Test
  void timelinesMustAscend() {
    assertThatThrownBy(() -> new TimelineEpochLine(List.of(e(3, 70), e(2, 61))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeline 2 follows timeline 3");
    assertThatThrownBy(() -> new TimelineEpochLine(List.of(e(2, 61), e(2, 62))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
