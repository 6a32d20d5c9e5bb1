package io.pgquorum.coordinator.cluster;

import java.util.Optional;

/**
 * One timeline switch in the {@code history} key: Patroni's {@code [timeline, lsn, reason, timestamp, new_leader]}.
 *
 * @param timeline the timeline that ended
 * @param lsn where it ended (bytes)
 * @param reason why (e.g. "no recovery target specified")
 * @param timestamp when, ISO-8601
 * @param newLeader the member promoted onto the next timeline
 */
public record HistoryEntry(long timeline, long lsn, String reason, Optional<String> timestamp,
    Optional<String> newLeader) {}
