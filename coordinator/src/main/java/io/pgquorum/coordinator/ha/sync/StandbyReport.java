package io.pgquorum.coordinator.ha.sync;

/**
 * One row of the primary's {@code pg_stat_replication}, as the rules need it.
 *
 * @param name the standby's {@code application_name} (pgquorum sets it to the member name)
 * @param streaming whether its state is {@code streaming}
 * @param state its {@code sync_state}
 * @param lsn the position that counts for {@code synchronous_commit} (flush for on, write for remote_write, replay
 *     for remote_apply: the caller picks the column, as Patroni does)
 */
public record StandbyReport(String name, boolean streaming, SyncRole state, long lsn) {
  /** {@code pg_stat_replication.sync_state}. */
  public enum SyncRole {
    ASYNC, POTENTIAL, SYNC, QUORUM;

    /** What PostgreSQL calls it. */
    public static SyncRole of(String syncState) {
      return switch (syncState == null ? "" : syncState) {
        case "sync" -> SYNC;
        case "quorum" -> QUORUM;
        case "potential" -> POTENTIAL;
        default -> ASYNC;
      };
    }
  }
}
