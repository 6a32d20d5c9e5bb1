package io.pgquorum.coordinator.cluster;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * One timeline switch in the {@code history} key: Patroni's {@code [timeline, lsn, reason, timestamp, new_leader]},
 * with the promotion's fencing token as a sixth field when known (Patroni reads the first five and ignores it).
 *
 * @param timeline the timeline that ended
 * @param lsn where it ended (bytes)
 * @param reason why (e.g. "no recovery target specified")
 * @param timestamp when, ISO-8601
 * @param newLeader the member promoted onto the next timeline
 * @param epoch the fencing token under which {@code newLeader} was promoted onto {@code timeline + 1}: which of
 *     possibly several forks numbered {@code timeline + 1} is the cluster's ({@link LeaderTimeline#otherEpoch});
 *     empty when not recorded (switches filled in late, entries written before the field existed)
 */
public record HistoryEntry(long timeline, long lsn, String reason, Optional<String> timestamp,
    Optional<String> newLeader, OptionalLong epoch) {
  /** An entry without an epoch. */
  public HistoryEntry(long timeline, long lsn, String reason, Optional<String> timestamp,
      Optional<String> newLeader) {
    this(timeline, lsn, reason, timestamp, newLeader, OptionalLong.empty());
  }
}
