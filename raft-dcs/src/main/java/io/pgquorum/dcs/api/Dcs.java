package io.pgquorum.dcs.api;

import java.time.Duration;
import java.util.Optional;

/**
 * A small, strongly consistent key-value store with leases: what the coordinator and pgctl see of the
 * distributed configuration store.
 *
 * <p>Consistency: every method except {@link #readLocal(String)} is linearizable. Writes go through the Raft
 * log; reads are answered only by the Raft leader, after a majority confirmed its term at a moment after the read
 * arrived (a ReadIndex of the DCS's own, on top of Ratis'), so a partitioned former leader can never serve a stale
 * value through them.
 *
 * <p>Failure: a call that cannot reach a working majority within the client's operation timeout throws
 * {@link DcsUnavailableException}; nothing blocks longer than that bound. A failed compare-and-set is not an
 * exception: it is a {@link WriteResult} with {@link WriteResult.Outcome#CONDITION_FAILED} and the key's current
 * state. Retries inside the client are exactly-once: a command is never applied twice, so a retry across a
 * leader change cannot turn a failed compare-and-set into a success or write twice.
 *
 * <p>Leases: a key written with a TTL is owned by this client's {@link #ownerId()}. Only the owner can
 * {@linkplain #refresh refresh} it. The DCS deletes it when it was not refreshed for longer than its TTL; the
 * precise guarantee (never earlier than TTL after the owner <em>sent</em> its last successful refresh,
 * measured on the owner's monotonic clock, within the configured clock-rate drift bound) is spelled out in
 * {@code io.pgquorum.dcs.lease.LeaseTracker}.
 *
 * <p>Implementations are thread-safe.
 */
public interface Dcs extends AutoCloseable {

  /** The owner recorded on leases this client creates (for example the member name). */
  String ownerId();

  /** All keys under {@code prefix} (empty string = everything) as one consistent snapshot. */
  PrefixSnapshot read(String prefix);

  /** One key, linearizable. */
  Optional<KeyValue> get(String key);

  /**
   * A possibly stale read from the local member's own state, answered even when it has lost quorum. The
   * result says how old this member's view may be ({@link LocalView#viewAge()}).
   */
  LocalView readLocal(String prefix);

  /** Unconditional write without a lease. */
  default WriteResult put(String key, String value) {
    return put(key, value, Precondition.none(), null);
  }

  /**
   * Writes {@code value} if {@code condition} holds. A non-null, positive {@code ttl} makes the key a lease
   * owned by {@link #ownerId()}; null or zero writes a plain key.
   */
  WriteResult put(String key, String value, Precondition condition, Duration ttl);

  /**
   * Re-arms the lease on {@code key}. Succeeds only if the key exists, is a lease owned by this client, and
   * (when {@code createRevision} is non-zero) is still the incarnation created at that revision.
   */
  WriteResult refresh(String key, long createRevision);

  /** Deletes {@code key} if {@code condition} holds. Deleting an absent key unconditionally succeeds. */
  WriteResult delete(String key, Precondition condition);

  default WriteResult delete(String key) {
    return delete(key, Precondition.none());
  }

  /** Deletes every key under {@code prefix}; returns how many were deleted. */
  long deletePrefix(String prefix);

  /**
   * Blocks until some key under {@code prefix} is created, changed or deleted at a revision above
   * {@code afterRevision}, or until {@code maxWait} elapses. Lease refreshes do not count as changes.
   * May wake spuriously (for example when the member's change history does not reach back to
   * {@code afterRevision}); callers re-read after waking.
   */
  WatchResult watch(String prefix, long afterRevision, Duration maxWait);

  /**
   * As {@link #watch(String, long, Duration)}, ending at a change under any of {@code prefixes} (at least one).
   * This default watches their longest common prefix, which ends at every change the list would and maybe at
   * others (a spurious wake, which callers already expect); clients that can name the prefixes to the DCS do so.
   */
  default WatchResult watch(java.util.List<String> prefixes, long afterRevision, Duration maxWait) {
    return watch(commonPrefix(prefixes), afterRevision, maxWait);
  }

  /** The longest prefix every one of {@code prefixes} starts with (at least one prefix; "" when they share none). */
  static String commonPrefix(java.util.List<String> prefixes) {
    if (prefixes == null || prefixes.isEmpty()) {
      throw new IllegalArgumentException("prefixes must name at least one prefix");
    }
    String common = prefixes.get(0);
    for (String p : prefixes) {
      int n = 0;
      while (n < common.length() && n < p.length() && common.charAt(n) == p.charAt(n)) {
        n++;
      }
      common = common.substring(0, n);
    }
    return common;
  }

  @Override
  void close();
}
