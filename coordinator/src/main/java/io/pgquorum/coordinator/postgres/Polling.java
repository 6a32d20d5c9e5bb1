package io.pgquorum.coordinator.postgres;

import java.time.Duration;

/** Waiting between polls, with interruption turned into a {@link PostgresException} naming the operation. */
final class Polling {
  private Polling() {}

  static void pause(Duration d, String operation) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PostgresException(operation + " interrupted");
    }
  }
}
