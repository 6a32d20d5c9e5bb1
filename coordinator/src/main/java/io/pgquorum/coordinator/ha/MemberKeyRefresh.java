package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.Member;
import java.time.Duration;
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
 *       (Patroni's defaults, or pgquorum's at ttl 4) every cycle writes, as before.
 * </ul>
 *
 * <p>Not thread-safe: only the HA loop's thread uses it.
 */
final class MemberKeyRefresh {
  private Map<String, Object> lastFields;
  private long lastTtlMillis = -1;
  private long lastRevision = -1;
  private long lastSentNanos;

  /**
   * Whether to write {@code fields} with {@code ttl} now, given this member's key in the cycle's snapshot and the
   * time until the next cycle ({@code loopWait}).
   */
  boolean due(Map<String, Object> fields, Duration ttl, Duration loopWait, Optional<Member> current,
      long nowNanos) {
    if (lastFields == null || !lastFields.equals(fields) || lastTtlMillis != ttl.toMillis()) {
      return true;
    }
    if (current.isEmpty() || current.get().modRevision() != lastRevision) {
      return true;
    }
    return nowNanos - lastSentNanos + loopWait.toNanos() >= ttl.toNanos() / 3;
  }

  /** Records a successful write of {@code fields}, sent at {@code sentNanos}, that the DCS stored at {@code revision}. */
  void written(Map<String, Object> fields, Duration ttl, long revision, long sentNanos) {
    lastFields = new HashMap<>(fields); // a copy; HashMap because a tag's value may be null
    lastTtlMillis = ttl.toMillis();
    lastRevision = revision;
    lastSentNanos = sentNanos;
  }

  /** Forgets the last write (it failed or the key was deleted): the next cycle writes. */
  void forget() {
    lastFields = null;
    lastRevision = -1;
  }
}
