package io.pgquorum.dcs.api;

import java.time.Duration;
import java.time.Instant;

/**
 * One stored key with its revisions.
 *
 * @param key the key
 * @param value the value (UTF-8 text)
 * @param createRevision Raft index of the write that created this incarnation of the key; strictly increasing
 *     across creates, so it serves as a fencing token for a lock held through this key
 * @param modRevision Raft index of the last write of the value (refreshes do not change it); the revision
 *     to compare against in {@link Precondition#modRevision(long)}
 * @param version number of writes of the value since creation (1 after create)
 * @param ttl lease duration, {@link Duration#ZERO} for a plain key
 * @param leaseRevision Raft index of the write or refresh that last armed the lease, 0 without a lease
 * @param owner the lease owner ({@link Dcs#ownerId()} of the writer)
 * @param updatedAt the Raft leader's wall-clock time of the last write or refresh; for display only
 */
public record KeyValue(
    String key,
    String value,
    long createRevision,
    long modRevision,
    long version,
    Duration ttl,
    long leaseRevision,
    String owner,
    Instant updatedAt) {

  public boolean isLease() {
    return !ttl.isZero();
  }
}
