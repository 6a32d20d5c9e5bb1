package io.pgquorum.coordinator.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** The simulation's true time, in nanoseconds since the run began; only the scheduler moves it. */
final class SimTime {
  /** Wall time at true time 0: fixed, so that every value written (history rows, stamps) is reproducible. */
  static final Instant EPOCH = Instant.parse("2030-01-01T00:00:00Z");
  private long now;

  long now() {
    return now;
  }

  void advanceTo(long t) {
    if (t < now) {
      throw new IllegalStateException("time runs backwards: " + t + " < " + now);
    }
    now = t;
  }

  long wallMillis() {
    return EPOCH.toEpochMilli() + now / 1_000_000L;
  }

  /** A wall clock on this time (display values only). */
  Clock wallClock() {
    return new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return EPOCH.plusNanos(now);
      }
    };
  }

  /** {@code 12.345s}: how transcripts show an instant. */
  static String show(long nanos) {
    return String.format(java.util.Locale.ROOT, "%d.%03ds", nanos / 1_000_000_000L, (nanos / 1_000_000L) % 1000);
  }
}
