package io.pgquorum.coordinator.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code restore} key (pgquorum's own; Patroni has none): a cluster-wide point-in-time recovery that
 * {@code pgctl restore} requested, and how far it got. Every write is a compare-and-set on the key's revision
 * ({@link ClusterStore#writeRestore}), so two writers (two members marking themselves ready, a second pgctl) never
 * overwrite each other: the loser reads the key again next cycle.
 *
 * <p>Phases: {@code stopping} (every member stops PostgreSQL, moves its data directory aside and adds itself to
 * {@code ready}), {@code bootstrapping} (the cluster's state was reset; the initialize race winner restores the
 * backup to the target and is promoted there), then {@code done} (the new primary runs, on {@code timeline}) or
 * {@code failed} ({@code detail} says why; a new request may replace the record).
 *
 * @param id the request's id, also the suffix of the moved-aside data directories ({@code <data_dir>.restore-<id>})
 * @param kind the target's kind: time, lsn, xid, name, immediate or latest
 * @param target the target's value (time, lsn, xid, name); empty for immediate and latest
 * @param exclusive stop just before the target
 * @param set the backup label to restore; empty: pgBackRest's choice
 * @param requestedAt when pgctl wrote it (ISO-8601 UTC)
 * @param phase stopping, bootstrapping, done or failed
 * @param ready the members that stopped and moved their data directory aside, sorted
 * @param detail why it failed, or what the last step did; never a secret
 * @param timeline the new primary's timeline once done; 0 before
 * @param modRevision the key's revision (the compare-and-set's condition); 0 when built, not read
 */
public record RestoreRecord(String id, String kind, Optional<String> target, boolean exclusive, Optional<String> set,
    String requestedAt, String phase, List<String> ready, Optional<String> detail, long timeline, long modRevision) {
  public static final String STOPPING = "stopping";
  public static final String BOOTSTRAPPING = "bootstrapping";
  public static final String DONE = "done";
  public static final String FAILED = "failed";

  public RestoreRecord {
    ready = List.copyOf(new java.util.TreeSet<>(ready));
  }

  /** A new request: phase stopping, nobody ready yet. */
  public static RestoreRecord request(String id, String kind, Optional<String> target, boolean exclusive,
      Optional<String> set, String requestedAt) {
    return new RestoreRecord(id, kind, target, exclusive, set, requestedAt, STOPPING, List.of(), Optional.empty(),
        0, 0);
  }

  /** Stopping or bootstrapping: normal HA is suspended. */
  public boolean inProgress() {
    return phase.equals(STOPPING) || phase.equals(BOOTSTRAPPING);
  }

  public boolean failed() {
    return phase.equals(FAILED);
  }

  /** The target as the log and {@code /patroni} say it, e.g. {@code lsn 0/3000060}. */
  public String describeTarget() {
    return kind + target.map(t -> " " + t).orElse("") + (exclusive ? " (exclusive)" : "")
        + set.map(s -> " from backup " + s).orElse("");
  }

  /** This record with {@code member} added to {@code ready} (revision unchanged: the write's condition). */
  public RestoreRecord withReady(String member) {
    List<String> r = new ArrayList<>(ready);
    if (!r.contains(member)) {
      r.add(member);
    }
    return new RestoreRecord(id, kind, target, exclusive, set, requestedAt, phase, r, detail, timeline,
        modRevision);
  }

  /** This record in {@code next} phase with {@code why} (revision unchanged). */
  public RestoreRecord inPhase(String next, Optional<String> why, long newTimeline) {
    return new RestoreRecord(id, kind, target, exclusive, set, requestedAt, next, ready, why, newTimeline,
        modRevision);
  }

  /** The same record at {@code revision} (as read). */
  public RestoreRecord atRevision(long revision) {
    return new RestoreRecord(id, kind, target, exclusive, set, requestedAt, phase, ready, detail, timeline,
        revision);
  }
}
