package io.pgquorum.pgctl;

import java.time.Duration;

/** The pace of {@code -W}/{@code -w}: waits between two refreshes, until interrupted (Ctrl-C ends the process). */
@FunctionalInterface
interface Pacer {
  /** Waits {@code interval} since the last refresh began; false ends the watch. */
  boolean awaitNext(Duration interval, long refreshStartedNanos);

  /** Forever, as patronictl: the next refresh starts {@code interval} after the previous one started. */
  Pacer FOREVER = (interval, started) -> {
    long wait = interval.toNanos() - (System.nanoTime() - started);
    try {
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  };
}
