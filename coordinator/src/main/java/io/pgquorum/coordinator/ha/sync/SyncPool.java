package io.pgquorum.coordinator.ha.sync;

import io.pgquorum.coordinator.config.SyncSettings;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The replicas eligible for synchronous duty this cycle, best first (Patroni's candidate selection, B.3 of the
 * reference): streaming, not the primary, not {@code nosync}/{@code nostream}/{@code sync_priority <= 0}, not
 * cascading, and within {@code maximum_lag_on_syncnode} of the most advanced replica (of the primary when there is
 * only one). Ordered by sync_priority (higher first), then those already synchronous (so that a standby which
 * is momentarily a few bytes behind an asynchronous one is not swapped out, which would change
 * synchronous_standby_names every cycle), then position (most advanced first), then name.
 *
 * <p>Already synchronous: named in the {@code sync} key, or reported {@code sync}/{@code quorum} by PostgreSQL (the
 * setting waits on it now; Patroni sorts on pg_stat_replication's sync_state). The second matters while the duty
 * moves: a standby just put into synchronous_standby_names is not in the key until a later cycle confirms it, and
 * meanwhile the standby that left (a restart takes about a second) is back. Judged by the key alone, that one
 * would win the tie again and the setting would swing back before the newcomer is ever confirmed; seen in
 * SyncReplicationIT, where the duty never reached the other replica.
 */
public final class SyncPool {
  private SyncPool() {}

  /**
   * @param leader the primary's name (never its own standby)
   * @param primaryLsn the primary's flush position, the lag reference with a single replica
   * @param alreadySync the names currently in the {@code sync} key (keep them on a tie, as those reported
   *     synchronous)
   */
  public static List<String> eligible(List<Standby> standbys, String leader, long primaryLsn, Set<String> alreadySync,
      SyncSettings settings) {
    List<Standby> streaming = standbys.stream().filter(Standby::streaming)
        .filter(s -> !s.name().equalsIgnoreCase(leader)).toList();
    long reference = streaming.size() > 1 ? streaming.stream().mapToLong(Standby::lsn).max().orElse(primaryLsn)
        : primaryLsn;
    Comparator<Standby> order = Comparator.comparingInt(Standby::syncPriority).reversed()
        .thenComparing(s -> !(s.reportedSync() || contains(alreadySync, s.name())))
        .thenComparing(Comparator.comparingLong(Standby::lsn).reversed())
        .thenComparing(Standby::name);
    return streaming.stream()
        .filter(s -> !s.neverSync() && !s.cascading())
        .filter(s -> !settings.checksLag() || reference - s.lsn() <= settings.maximumLag())
        .sorted(order).map(Standby::name).toList();
  }

  static boolean contains(Set<String> names, String name) {
    return names.stream().anyMatch(n -> n.equalsIgnoreCase(name));
  }
}
