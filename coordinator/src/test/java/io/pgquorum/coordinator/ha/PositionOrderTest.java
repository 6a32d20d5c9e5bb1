package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link Decider#comparePositions}: (timeline, LSN) pairs, the timeline first. */
class PositionOrderTest {
  @Test
  void positionsCompareByTimelineFirst() {
    assertThat(Decider.comparePositions(2, 100, 1, 5000)).isPositive();
    assertThat(Decider.comparePositions(1, 5000, 2, 100)).isNegative();
    assertThat(Decider.comparePositions(2, 100, 2, 50)).isPositive();
    assertThat(Decider.comparePositions(0, 100, 2, 50)).as("unknown timeline: LSN only").isPositive();
  }
}
