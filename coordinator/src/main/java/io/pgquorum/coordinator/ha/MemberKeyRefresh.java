package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.Member;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether this cycle has to write this member's {@code members/<name>} key.
 *
 * <p>Why not every cycle: each write is a Raft entry fsynced on every DCS member, and with loop_wait 1 s a
 * three-node cluster wrote three member keys a second that said nothing new (at idle nothing in them changes).
 * Those writes were most of the idle DCS traffic. Patroni rewrites the key every loop_wait (10 s by default,
 * ttl 30 s, so every ttl/3); this keeps that cadence whatever loop_wait is.
 *
 * <p>The key is written when any of these holds, so it never says less or lives shorter than before:
 * <ul>
 *   <li>its content changed (role, state, WAL position, timeline, tags, ...): published in the same cycle as
 *       before, so readers never see an older value than they would have;
 *   <li>the TTL changed;
 *   <li>the cycle's snapshot does not show the exact revision this node last wrote (the key expired, was
 *       deleted, was overwritten, or the last write's outcome is unknown);
 *   <li>the next cycle would come later than a third of the TTL after the last write was sent (so the gap
 *       between writes never exceeds ttl/3 plus one cycle's own duration, whatever loop_wait is). The key's
 *       lease is timed from when each DCS member applied the write, which is after it was sent, so measuring
 *       from the send is conservative; the remaining two thirds cover slow or failed refreshes (each failure is
 *       retried next cycle) just as Patroni's default ttl/loop_wait ratio does. With loop_wait >= ttl/3
 *       (Patroni's defaults) every cycle writes, as before;
 *       so does every cycle at pgquorum's defaults (ttl 5, loop_wait 1: ttl/3 is less than two loop_waits).
 * </ul>
 *
 * <p>How: a change (the first three) is a write; the last, with nothing changed, is a refresh of the key's lease
 * ({@link Step#REFRESH}), which the DCS's Raft leader serves without a log entry under
 * {@code raft.lease_refresh: leader_local} (the leader lock's rule, raft-dcs {@code LeaseTracker}): an idle
 * cluster then writes nothing to the log at all. A refresh keeps the key's revision, so the next cycle's snapshot
 * still shows the revision remembered here; a refused refresh (the key expired or is no longer ours) is forgotten
 * and the next cycle writes.
 *
 * <p>A value: what it remembers of the last write is handed back by the loop each cycle ({@link Publication}
 * plans with it and advances it with the write's outcome), so the rule is pure and table-testable.
 *
 * @param lastFields the fields last written, when the last write is known to have succeeded
 * @param lastTtlMillis the ttl they were written with
 * @param lastRevision the revision the DCS stored them at (-1: none known)
 * @param lastSentNanos when that write was sent, on the loop's nano clock
 */
record MemberKeyRefresh(Optional<Map<String, Object>> lastFields, long lastTtlMillis, long lastRevision,
    long lastSentNanos) {
  /** Nothing written yet (or the last write failed, or the key was deleted): the next cycle writes. */
  static final MemberKeyRefresh NONE = new MemberKeyRefresh(Optional.empty(), -1, -1, 0);

  /** What this cycle does with the key. */
  enum Step {
    /** Nothing: unchanged, and refreshed recently enough. */
    NONE,
    /** Write the fields (a change, or the last write is not known to be the stored key). */
    WRITE,
    /** Unchanged and stored as last written, but due: re-arm its lease without rewriting it. */
    REFRESH
  }

  /**
   * What to do with {@code fields} and {@code ttl} now, given this member's key in the cycle's snapshot and the
   * time until the next cycle ({@code loopWait}).
   */
  Step step(Map<String, Object> fields, Duration ttl, Duration loopWait, Optional<Member> current, long nowNanos) {
    if (lastFields.isEmpty() || !lastFields.get().equals(fields) || lastTtlMillis != ttl.toMillis()) {
      return Step.WRITE;
    }
    if (current.isEmpty() || current.get().modRevision() != lastRevision) {
      return Step.WRITE;
    }
    return nowNanos - lastSentNanos + loopWait.toNanos() >= ttl.toNanos() / 3 ? Step.REFRESH : Step.NONE;
  }

  /**
   * After a successful write (or refresh) of {@code fields}, sent at {@code sentNanos}, that the DCS stores at
   * {@code revision}.
   */
  MemberKeyRefresh written(Map<String, Object> fields, Duration ttl, long revision, long sentNanos) {
    // A copy; HashMap because a tag's value may be null.
    Map<String, Object> copy = Collections.unmodifiableMap(new HashMap<>(fields));
    return new MemberKeyRefresh(Optional.of(copy), ttl.toMillis(), revision, sentNanos);
  }

  /** After a failed write or a deletion: the next cycle writes. */
  MemberKeyRefresh forget() {
    return new MemberKeyRefresh(Optional.empty(), lastTtlMillis, -1, lastSentNanos);
  }
}
