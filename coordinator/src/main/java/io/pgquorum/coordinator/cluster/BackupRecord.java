package io.pgquorum.coordinator.cluster;

import java.util.Optional;

/**
 * The {@code backups} key (pgquorum's own; Patroni has none): which scheduled slot was last taken and on which
 * timeline a new primary's post-promotion work was last claimed, so that no slot and no timeline is worked twice,
 * whichever node holds the lock when. The lock holder claims a slot or a timeline by a compare-and-set on the key's
 * revision ({@link ClusterStore#claimBackup}); two holders one after the other (a failover in between) cannot both
 * win the same revision, and the second sees the first's claim.
 *
 * @param slot the last scheduled slot claimed (an ISO-8601 UTC instant), empty before the first
 * @param slotType the type that slot was for ({@code full}, {@code diff}, {@code incr})
 * @param timeline the highest timeline whose post-promotion work (check, backup) was claimed; 0 before the first
 * @param last the last run: what, by whom, and how it went
 * @param modRevision the key's revision (the compare-and-set's condition); 0 when built, not read
 *     (its JSON is {@link ClusterCodec#encodeBackups}'s: a value type, the decision reads it)
 */
public record BackupRecord(Optional<String> slot, Optional<String> slotType, long timeline, Optional<Run> last,
    long modRevision) {
  /** No key yet. */
  public static final BackupRecord NONE = new BackupRecord(Optional.empty(), Optional.empty(), 0, Optional.empty(),
      0);

  /**
   * One run.
   *
   * @param trigger {@code schedule} or {@code promotion}
   * @param type the backup type, or {@code check} for a check alone
   * @param member the node that ran (or skipped) it
   * @param state {@code running}, {@code done}, {@code failed} or {@code skipped}
   * @param startedAt when it was claimed (ISO-8601 UTC)
   * @param finishedAt when it ended, empty while running or when skipped
   * @param detail the failure, or why a slot was skipped; never a secret
   */
  public record Run(String trigger, String type, String member, String state, String startedAt,
      Optional<String> finishedAt, Optional<String> detail) {
    /** This run ended at {@code at} with {@code failure} (empty: done). */
    public Run finished(String at, Optional<String> failure) {
      return new Run(trigger, type, member, failure.isPresent() ? "failed" : "done", startedAt, Optional.of(at),
          failure);
    }
  }

  /** This record with {@code run} as the last run (revision unchanged: the claim's condition). */
  public BackupRecord withLast(Run run) {
    return new BackupRecord(slot, slotType, timeline, Optional.of(run), modRevision);
  }
}
