package io.pgquorum.coordinator.node;

import java.time.Duration;
import java.util.Optional;

/** What {@link Main} waits on to decide its exit code: a started node's HA loop. */
interface RunningNode {
  /** Waits until the HA loop has ended; false when {@code timeout} passed first. */
  boolean awaitLoopEnd(Duration timeout) throws InterruptedException;

  /** Why the loop ended on its own (a fatal decision, or a crash of its thread); empty after a clean stop. */
  Optional<String> fatalReason();

  /** Stops the node's components, leaving PostgreSQL as it is. */
  void halt();
}
