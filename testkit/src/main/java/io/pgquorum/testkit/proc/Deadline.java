package io.pgquorum.testkit.proc;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** A point in (monotonic) time by which a condition must hold, and the polling that waits for it. */
public final class Deadline {
  private final long endNanos;

  private Deadline(Duration within) {
    this.endNanos = System.nanoTime() + within.toNanos();
  }

  public static Deadline in(Duration within) {
    return new Deadline(within);
  }

  public boolean expired() {
    return System.nanoTime() - endNanos > 0;
  }

  /**
   * Polls {@code condition} every {@code poll} until it holds.
   *
   * @param what the condition, for the message ("cluster healthy")
   * @param lastSeen what was observed last, for the message when the deadline passes
   * @throws IllegalStateException "{@code what}: not within N s (last seen: ...)" when it does not hold in time
   */
  public static void await(String what, Duration within, Duration poll, BooleanSupplier condition,
      Supplier<String> lastSeen) {
    Deadline d = in(within);
    while (!condition.getAsBoolean()) {
      if (d.expired()) {
        throw new IllegalStateException(what + ": not within " + human(within) + " (last seen: " + lastSeen.get()
            + ")");
      }
      sleep(poll.toMillis());
    }
  }

  private static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /**
   * Sleeps one poll interval. An interrupt ends the wait with an IllegalStateException (the interrupt flag kept):
   * a poll loop that swallowed it would spin until its deadline.
   */
  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }
}
