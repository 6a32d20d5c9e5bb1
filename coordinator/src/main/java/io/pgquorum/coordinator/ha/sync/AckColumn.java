package io.pgquorum.coordinator.ha.sync;

import java.util.Locale;
import java.util.Optional;

/**
 * Which position of a standby's {@code pg_stat_replication} row counts for synchronous replication: the one
 * PostgreSQL waits for before it acknowledges a commit, which the primary's {@code synchronous_commit} decides
 * (B.3 of the reference, as Patroni chooses it). {@code remote_write}: written ({@code write_lsn});
 * {@code remote_apply}: replayed ({@code replay_lsn}); {@code on}, and also {@code local} and {@code off} (commits
 * then wait for no standby, and flushed is what a promotion keeps): flushed ({@code flush_lsn}).
 *
 * <p>Why it matters: a standby is confirmed synchronous (and may then be named in the {@code sync} key) once its
 * position reaches the primary's at the moment the setting changed ({@link SyncView#confirmed}), and it is eligible
 * only within {@code maximum_lag_on_syncnode} ({@link SyncPool}). With {@code remote_apply}, the flush position
 * runs ahead of what PostgreSQL waits for, so judging by it would confirm a standby before the commits it must hold
 * were applied there; with {@code remote_write}, it lags behind what PostgreSQL waits for, so a standby would be
 * confirmed later than it could be, or dropped for a lag it does not have.
 */
public enum AckColumn {
  WRITE, FLUSH, REPLAY;

  /** The column for {@code synchronousCommit} (the primary's setting; empty when unknown: flush, the default). */
  public static AckColumn of(Optional<String> synchronousCommit) {
    return switch (synchronousCommit.map(v -> v.trim().toLowerCase(Locale.ROOT)).orElse("on")) {
      case "remote_write" -> WRITE;
      case "remote_apply" -> REPLAY;
      default -> FLUSH;
    };
  }

  /** This column's value among a row's three positions. */
  public long pick(long write, long flush, long replay) {
    return switch (this) {
      case WRITE -> write;
      case FLUSH -> flush;
      case REPLAY -> replay;
    };
  }
}
