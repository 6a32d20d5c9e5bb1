package io.pgquorum.coordinator.ha;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the decision knows of this node's pgBackRest work (issue 13): an input, observed from the job that runs
 * the commands in the background ({@code StanzaJob}), so the rules that plan it stay pure.
 *
 * @param stanza where creating the stanza stands on this node
 * @param retryAfterNanos after a failure: the earliest time (the loop's monotonic clock) to try again
 * @param lastFailure after a failure: what went wrong, for the log and {@code /patroni}
 */
public record BackrestView(Stanza stanza, OptionalLong retryAfterNanos, Optional<String> lastFailure) {
  /** No backrest section: nothing is ever planned. */
  public static final BackrestView OFF = new BackrestView(Stanza.OFF, OptionalLong.empty(), Optional.empty());

  /** The section is on and this node has not created the stanza yet (since the daemon started). */
  public static final BackrestView NEEDED = new BackrestView(Stanza.NEEDED, OptionalLong.empty(), Optional.empty());

  /** Where creating the stanza stands. */
  public enum Stanza {
    OFF,
    NEEDED,
    RUNNING,
    FAILED,
    CREATED
  }
}
