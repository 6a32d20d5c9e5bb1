package io.pgquorum.coordinator.ha.sync;

import java.util.List;

/**
 * Whether a primary's commits are blocked right now: PostgreSQL runs with a synchronous_standby_names that asks for
 * more acknowledging standbys than {@code pg_stat_replication} reports {@code sync} (or {@code quorum}), so every
 * commit waits (PostgreSQL's SyncRep wait) until enough are back. This is what {@code synchronous_mode_strict} means
 * when no synchronous standby is available ({@code *} with nobody connected, or the last named standby gone), and
 * also, briefly, what happens in non-strict mode between a synchronous standby's loss and the primary dropping it
 * from the setting. It is PostgreSQL's own view: a standby whose connection PostgreSQL has not noticed is gone yet
 * (until {@code wal_sender_timeout}) still counts, as it does for PostgreSQL.
 *
 * <p>Why count the rows rather than compare the {@code sync} key: the key says which standbys are known to hold every
 * acknowledged commit (who may be promoted); whether commits wait depends only on what PostgreSQL runs with and who
 * is connected. {@code FIRST n} waits until n listed standbys stream (PostgreSQL's SyncRepGetSyncRecPtr needs n
 * synchronous ones), {@code ANY n} until n do, {@code *} until one does.
 */
public final class CommitWait {
  private CommitWait() {}

  /** Whether commits wait for standbys that are not there: fewer acknowledging rows than {@code names} needs. */
  public static boolean blocked(SyncStandbyNames names, List<StandbyReport> rows) {
    long acknowledging = rows.stream().filter(StandbyReport::streaming)
        .filter(r -> r.state() == StandbyReport.SyncRole.SYNC || r.state() == StandbyReport.SyncRole.QUORUM)
        .count();
    return acknowledging < names.count();
  }
}
