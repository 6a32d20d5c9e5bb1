package io.pgquorum.coordinator.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The simulator's clock conversion is exact: {@link DriftingClock#trueTimeOf} is the first true instant reading at
 * least the given value, so the instant of "now's own reading" is never after now. The scheduler relies on it: an
 * event foreseen at {@code trueTimeOf(due)} must still be due when true time gets there (seed 1269376629502 of the
 * long campaign ended on "no event due" when it was a nanosecond late).
 */
class DriftingClockTest {
  @Test
  void trueTimeOfIsTheFirstInstantReadingAtLeastTheValue() {
    SplittableRandom r = new SplittableRandom(1269376629502L);
    for (int i = 0; i < 200_000; i++) {
      SimTime time = new SimTime();
      time.advanceTo(r.nextLong(0, 1L << 40));
      double rate = 0.5 + r.nextDouble() * 1.5;
      DriftingClock clock = new DriftingClock(time, r.nextLong(-(1L << 50), 1L << 50), rate);
      if (r.nextBoolean()) {
        time.advanceTo(time.now() + r.nextLong(0, 1L << 36));
        clock.setRate(0.5 + r.nextDouble() * 1.5);
      }
      long t = time.now() + r.nextLong(-(1L << 34), 1L << 36);
      long reading = clock.at(t);
      long first = clock.trueTimeOf(reading);
      assertThat(first).as("the first instant reading %d (rate %s) is not after %d", reading, clock.rate(), t)
          .isLessThanOrEqualTo(t);
      assertThat(clock.at(first)).isGreaterThanOrEqualTo(reading);
      assertThat(clock.at(first - 1)).as("nothing earlier reads it").isLessThan(reading);
    }
  }
}
