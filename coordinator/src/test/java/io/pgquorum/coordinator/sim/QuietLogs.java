package io.pgquorum.coordinator.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * Silences pgquorum's own logging while simulated clusters run: the loop logs every decision, and thousands of
 * simulated cycles per second would bury the test output (and cost most of the time). The transcripts print what
 * matters. Restores the previous level on close.
 */
final class QuietLogs implements AutoCloseable {
  private final Logger logger = (Logger) LoggerFactory.getLogger("io.pgquorum");
  private final Level before = logger.getLevel();

  QuietLogs() {
    logger.setLevel(Level.OFF);
  }

  @Override
  public void close() {
    logger.setLevel(before);
  }
}
