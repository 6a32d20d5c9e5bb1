package io.pgquorum.bench.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.pgquorum.bench.failover.DcsOutage.Read;
import java.util.List;
import org.junit.jupiter.api.Test;

class DcsOutageTest {
  private static final long MS = 1_000_000L;

  @Test
  void readsAnsweredThroughoutAreNoOutage() {
    DcsOutage o = DcsOutage.of(100 * MS, List.of(new Read(120 * MS, true), new Read(140 * MS, true)));
    assertThat(o).isEqualTo(DcsOutage.NONE);
    assertThat(o.seen()).isFalse();
  }

  @Test
  void lastsFromTheFaultToTheFirstAnswerAfterTheFirstUnansweredRead() {
    // two observers, reads out of order; the answered read at 110 ms precedes the first failure and ends nothing
    DcsOutage o = DcsOutage.of(100 * MS, List.of(new Read(1_900 * MS, true), new Read(110 * MS, true),
        new Read(1_100 * MS, false), new Read(1_120 * MS, false), new Read(2_400 * MS, true)));
    assertThat(o.seen()).isTrue();
    assertThat(o.recovered()).isTrue();
    assertThat(o.seconds()).isCloseTo(1.8, within(1e-9));
  }

  @Test
  void readsBeforeTheFaultDoNotCount() {
    DcsOutage o = DcsOutage.of(100 * MS, List.of(new Read(50 * MS, false), new Read(150 * MS, true)));
    assertThat(o.seen()).isFalse();
  }

  @Test
  void anOutageWithoutAnAnswerAfterwardsIsSeenButNotRecovered() {
    DcsOutage o = DcsOutage.of(0, List.of(new Read(300 * MS, true), new Read(500 * MS, false),
        new Read(900 * MS, false)));
    assertThat(o.seen()).isTrue();
    assertThat(o.recovered()).isFalse();
    assertThat(o.seconds()).isCloseTo(0.9, within(1e-9));
  }
}
