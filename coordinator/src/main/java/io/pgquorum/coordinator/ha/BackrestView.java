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
 * @param backups the section's backup planning (schedules, catch-up window, after-promotion work); empty: none
 * @param backupRunning whether this node's backup job runs a backup or check right now ({@code BackupJob})
 */
public record BackrestView(Stanza stanza, OptionalLong retryAfterNanos, Optional<String> lastFailure,
    Optional<BackupPlan> backups, boolean backupRunning) {
  /**
   * What the section says about backups, as the rules read it.
   *
   * @param catchUp how long after a slot it may still run when no node held the lock at the time
   */
  public record BackupPlan(io.pgquorum.backrest.BackupSchedules schedules, java.time.Duration catchUp,
      io.pgquorum.backrest.BackrestSettings.AfterPromotion afterPromotion) {}

  /** A view without backup planning (only the stanza). */
  public BackrestView(Stanza stanza, OptionalLong retryAfterNanos, Optional<String> lastFailure) {
    this(stanza, retryAfterNanos, lastFailure, Optional.empty(), false);
  }

  /** This view with the backup planning and the backup job's state. */
  public BackrestView withBackups(Optional<BackupPlan> plan, boolean running) {
    return new BackrestView(stanza, retryAfterNanos, lastFailure, plan, running);
  }

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
