package io.pgquorum.coordinator.ha.sync;

import io.pgquorum.coordinator.cluster.Member;

/**
 * What the primary knows of one replica when it chooses synchronous standbys: its member tags and its
 * {@code pg_stat_replication} row.
 *
 * @param name member name (= application_name)
 * @param streaming connected and streaming
 * @param neverSync tagged {@code nosync}, {@code nostream}, or {@code sync_priority} 0 or less
 * @param cascading it streams from another replica ({@code replicatefrom}), so it cannot acknowledge to the primary
 * @param syncPriority the {@code sync_priority} tag (higher first)
 * @param lsn its position (see {@link StandbyReport#lsn()})
 * @param reportedSync PostgreSQL reports it {@code sync} or {@code quorum}: the setting it runs with waits on it now
 */
public record Standby(String name, boolean streaming, boolean neverSync, boolean cascading, int syncPriority,
    long lsn, boolean reportedSync) {
  /** From a member key and its row in {@code pg_stat_replication}. */
  public static Standby of(Member m, StandbyReport row) {
    return new Standby(m.name(), row.streaming(), m.nosync() || m.nostream() || m.syncPriority() <= 0,
        m.replicatefrom().isPresent(), m.syncPriority(), row.lsn(),
        row.state() == StandbyReport.SyncRole.SYNC || row.state() == StandbyReport.SyncRole.QUORUM);
  }
}
