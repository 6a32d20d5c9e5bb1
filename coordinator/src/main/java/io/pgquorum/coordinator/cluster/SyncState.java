package io.pgquorum.coordinator.cluster;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code sync} key, Patroni's synchronous replication state: {@code {"leader": <primary>, "sync_standby":
 * "a,b" | null, "quorum": <n>}}, written only by the primary, with compare-and-set
 * ({@link ClusterStore#writeSync}). In {@code synchronous_mode: on} it names the standbys known to hold every
 * acknowledged commit (only they, and the leader, may be promoted); in {@code quorum} mode the voters, and a
 * candidate needs {@code quorum} votes from them. Present but with no standby: synchronous mode is requested but no
 * standby is synchronous yet.
 *
 * @param leader the primary that wrote it
 * @param syncStandbys the synchronous standbys (on) or voters (quorum), as written
 * @param quorum the votes a candidate needs in quorum mode; always 0 in {@code on} mode
 * @param modRevision the DCS revision it was last written at (0: not stored), for compare-and-set
 */
public record SyncState(Optional<String> leader, List<String> syncStandbys, int quorum, long modRevision) {
  public SyncState {
    syncStandbys = List.copyOf(syncStandbys);
    if (quorum < 0) {
      throw new IllegalArgumentException("quorum must not be negative, got " + quorum);
    }
  }

  /** Without a quorum ({@code on} mode, or a key written by an older Patroni). */
  public SyncState(Optional<String> leader, List<String> syncStandbys, long modRevision) {
    this(leader, syncStandbys, 0, modRevision);
  }

  /**
   * Whether {@code name} is listed as a synchronous standby. Case-insensitive, as PostgreSQL compares
   * {@code application_name} with {@code synchronous_standby_names} (and as Patroni matches the key).
   */
  public boolean lists(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return syncStandbys.stream().anyMatch(s -> s.toLowerCase(Locale.ROOT).equals(n));
  }

  /** Whether {@code name} is the key's leader (case-insensitive, see {@link #lists}). */
  public boolean isLeader(String name) {
    return leader.map(l -> l.equalsIgnoreCase(name)).orElse(false);
  }

  /** The same content at another revision (what a successful write returns). */
  public SyncState at(long revision) {
    return new SyncState(leader, syncStandbys, quorum, revision);
  }

  /** Same leader, standbys (in any order, any case) and quorum; the revision is not compared. */
  public boolean sameContent(SyncState other) {
    return leader.map(l -> l.toLowerCase(Locale.ROOT)).equals(other.leader.map(l -> l.toLowerCase(Locale.ROOT)))
        && quorum == other.quorum && lower(syncStandbys).equals(lower(other.syncStandbys));
  }

  private static java.util.Set<String> lower(List<String> names) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    names.forEach(n -> out.add(n.toLowerCase(Locale.ROOT)));
    return out;
  }
}
