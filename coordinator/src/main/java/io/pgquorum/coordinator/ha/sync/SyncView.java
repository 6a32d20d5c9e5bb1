package io.pgquorum.coordinator.ha.sync;

import io.pgquorum.coordinator.cluster.SyncState;
import io.pgquorum.coordinator.config.SyncSettings;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the primary knows at the start of one cycle, for {@link SyncRules}: values only (the loop reads the DCS and
 * PostgreSQL before, and performs the steps after).
 *
 * @param leader this primary's name
 * @param settings the synchronous replication settings in force
 * @param sync the {@code sync} key as read this cycle
 * @param standbyNames the {@code synchronous_standby_names} PostgreSQL runs with now
 * @param confirmed the standbys PostgreSQL reports {@code sync}/{@code quorum} that are listed by name in
 *     standbyNames and have reached the primary's flush position memorised when standbyNames was last changed
 *     ({@link #confirmed(List, SyncStandbyNames, long)}): only those may be published in the key
 * @param pool the eligible standbys, best first ({@link SyncPool#eligible})
 */
public record SyncView(String leader, SyncSettings settings, Optional<SyncState> sync, SyncStandbyNames standbyNames,
    Set<String> confirmed, List<String> pool) {
  public SyncView {
    confirmed = Set.copyOf(confirmed);
    pool = List.copyOf(pool);
  }

  /**
   * The confirmed standbys (B.3): reported {@code sync} or {@code quorum}, listed by name in {@code names}, and at
   * or past {@code lsnAtChange}, the primary's flush position when {@code names} was last set. A standby that is
   * "sync" by name but has not caught up may lack commits acknowledged before it became synchronous.
   */
  public static Set<String> confirmed(List<StandbyReport> rows, SyncStandbyNames names, long lsnAtChange) {
    Set<String> out = new java.util.TreeSet<>();
    for (StandbyReport r : rows) {
      boolean reported = r.state() == StandbyReport.SyncRole.SYNC || r.state() == StandbyReport.SyncRole.QUORUM;
      if (r.streaming() && reported && names.lists(r.name()) && r.lsn() >= lsnAtChange) {
        out.add(r.name());
      }
    }
    return out;
  }
}
