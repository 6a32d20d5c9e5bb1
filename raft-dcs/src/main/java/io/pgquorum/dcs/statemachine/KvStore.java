package io.pgquorum.dcs.statemachine;

import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Delete;
import io.pgquorum.dcs.proto.DeletePrefix;
import io.pgquorum.dcs.proto.Entry;
import io.pgquorum.dcs.proto.Expire;
import io.pgquorum.dcs.proto.Failure;
import io.pgquorum.dcs.proto.Precondition;
import io.pgquorum.dcs.proto.Put;
import io.pgquorum.dcs.proto.Refresh;
import io.pgquorum.dcs.proto.Reply;
import io.pgquorum.dcs.proto.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The replicated key-value-with-leases state machine, as a pure function of the ordered log.
 *
 * <p>Determinism is the whole contract: given the same sequence of {@code (index, command)} pairs, every
 * member reaches the same state and computes the same {@link Reply}. Therefore this class never reads a
 * clock, a random source, the environment or the member's identity. Time enters only as the leader's
 * {@code stamp_millis} written into the command, and that stamp is only ever stored for display.
 *
 * <p>Leases: a key written with a TTL carries a {@code lease_revision} (the index of the put or refresh that
 * armed it). The store itself never decides that a lease ran out; the Raft leader does, on its own monotonic
 * clock (see {@code io.pgquorum.dcs.lease.LeaseTracker}), and proposes an {@link Expire} naming the exact
 * lease revision it watched run out. Applying that is a compare-and-delete, so a refresh that reached the
 * log first wins and the expiry becomes a no-op.
 *
 * <p>Exactly-once: commands from clients carry {@code (client_id, seq)}; a retry of an applied command gets
 * the cached reply of the first application instead of being applied twice (Raft dissertation §6.3).
 *
 * <p>Not thread-safe: the hosting adapter applies commands from one thread and synchronises readers.
 */
public final class KvStore {

  /** Snapshot layout version written by this code. */
  public static final int SNAPSHOT_FORMAT = 1;

  /** Detail prefix of the reply to a command whose client session was dropped; clients match on it. */
  public static final String SESSION_EXPIRED = "session expired";

  /**
   * Detail prefix of the reply to a retry whose reply the session no longer holds (the client acknowledged it,
   * or the session overflowed its reply bound): the command may or may not have been applied, so clients report
   * the outcome as unknown, never as a refusal.
   */
  public static final String REPLY_FORGOTTEN = "duplicate of an acknowledged command";

  private final NavigableMap<String, Entry> entries = new TreeMap<>();
  private final Sessions sessions;
  private long lastIndex;

  public KvStore() {
    this(Sessions.DEFAULT_MAX_SESSIONS);
  }

  KvStore(int maxSessions) {
    this.sessions = new Sessions(maxSessions);
  }

  /**
   * The outcome of applying one log entry: the reply, the keys whose value or existence changed, and whether
   * the command executed now ({@code false} for a retry answered from its session's cached reply, whose
   * entry describes the key as it was then, not now).
   */
  public record Applied(Reply reply, List<Change> changes, boolean executed) {}

  /** A key that changed at {@code revision}; {@code deleted} when it no longer exists. */
  public record Change(String key, long revision, boolean deleted) {}

  /**
   * Applies the command at log {@code index}. Indexes must increase; a command with an index at or below the
   * last applied one is a bug in the caller and throws (replaying it would break determinism).
   */
  public Applied apply(long index, Command command) {
    if (index <= lastIndex) {
      throw new IllegalStateException("log index " + index + " applied after " + lastIndex);
    }
    lastIndex = index;
    boolean tracked = !command.getClientId().isEmpty();
    if (tracked) {
      Reply cached = sessions.lookup(command.getClientId(), command.getSeq(), command.getAckedBelow(), index);
      if (cached != null) {
        return new Applied(cached, List.of(), false);
      }
    }
    List<Change> changes = new ArrayList<>(1);
    Reply reply = execute(index, command, changes);
    if (tracked) {
      sessions.remember(command.getClientId(), command.getSeq(), command.getAckedBelow(), reply, index);
    }
    return new Applied(reply, changes, true);
  }

  private Reply execute(long index, Command command, List<Change> changes) {
    return switch (command.getOpCase()) {
      case PUT -> put(index, command.getPut(), command.getStampMillis(), changes);
      case DELETE -> delete(index, command.getDelete(), changes);
      case DELETE_PREFIX -> deletePrefix(index, command.getDeletePrefix(), changes);
      case REFRESH -> refresh(index, command.getRefresh(), command.getStampMillis());
      case EXPIRE -> expire(index, command.getExpire(), changes);
      // A newer member may have written an op this member does not know; answering INVALID (rather than
      // throwing) keeps every member of a mixed-version group in the same state.
      case OP_NOT_SET -> failure(index, Failure.INVALID, "command has no operation (unknown to this version?)", null);
    };
  }

  private Reply put(long index, Put put, long stamp, List<Change> changes) {
    if (put.getKey().isEmpty()) {
      return failure(index, Failure.INVALID, "key must not be empty", null);
    }
    if (put.getTtlMillis() < 0) {
      return failure(index, Failure.INVALID, "ttl_millis must be >= 0, got " + put.getTtlMillis(), null);
    }
    Entry current = entries.get(put.getKey());
    if (!holds(put.hasCondition() ? put.getCondition() : null, current)) {
      return failure(index, Failure.CONDITION_FAILED, "precondition failed", current);
    }
    Entry.Builder next = Entry.newBuilder()
        .setKey(put.getKey())
        .setValue(put.getValue())
        .setModRevision(index)
        .setTtlMillis(put.getTtlMillis())
        .setLeaseRevision(put.getTtlMillis() > 0 ? index : 0)
        .setOwner(put.getOwner())
        .setUpdatedAtMillis(stamp);
    if (current == null) {
      next.setCreateRevision(index).setVersion(1);
    } else {
      next.setCreateRevision(current.getCreateRevision()).setVersion(current.getVersion() + 1);
    }
    Entry written = next.build();
    entries.put(written.getKey(), written);
    changes.add(new Change(written.getKey(), index, false));
    return Reply.newBuilder().setSucceeded(true).setRevision(index).setEntry(written).build();
  }

  private Reply delete(long index, Delete delete, List<Change> changes) {
    Entry current = entries.get(delete.getKey());
    if (!holds(delete.hasCondition() ? delete.getCondition() : null, current)) {
      return failure(index, Failure.CONDITION_FAILED, "precondition failed", current);
    }
    if (current == null) {
      return Reply.newBuilder().setSucceeded(true).setRevision(index).setDeleted(0).build();
    }
    entries.remove(delete.getKey());
    changes.add(new Change(delete.getKey(), index, true));
    return Reply.newBuilder().setSucceeded(true).setRevision(index).setDeleted(1).build();
  }

  private Reply deletePrefix(long index, DeletePrefix deletePrefix, List<Change> changes) {
    String prefix = deletePrefix.getPrefix();
    List<String> doomed = new ArrayList<>(underPrefix(prefix).keySet());
    for (String key : doomed) {
      entries.remove(key);
      changes.add(new Change(key, index, true));
    }
    return Reply.newBuilder().setSucceeded(true).setRevision(index).setDeleted(doomed.size()).build();
  }

  private Reply refresh(long index, Refresh refresh, long stamp) {
    Entry current = entries.get(refresh.getKey());
    Reply refused = refreshRefusal(index, refresh, current);
    if (refused != null) {
      return refused;
    }
    // A refresh re-arms the lease but is not a change of value: mod_revision stays, watchers are not woken.
    Entry refreshed = current.toBuilder().setLeaseRevision(index).setUpdatedAtMillis(stamp).build();
    entries.put(refreshed.getKey(), refreshed);
    return Reply.newBuilder().setSucceeded(true).setRevision(index).setEntry(refreshed).build();
  }

  /**
   * Why {@code refresh} of {@code current} must fail (the reply, at {@code index}), or null when it may succeed.
   * The one rule for both the logged refresh and the leader-local one.
   */
  private static Reply refreshRefusal(long index, Refresh refresh, Entry current) {
    if (current == null) {
      return failure(index, Failure.NOT_FOUND, "no such key (expired or deleted)", null);
    }
    if (current.getTtlMillis() == 0) {
      return failure(index, Failure.INVALID, "key has no lease to refresh", current);
    }
    if (!current.getOwner().equals(refresh.getOwner())) {
      return failure(index, Failure.NOT_OWNER, "lease is owned by '" + current.getOwner() + "'", current);
    }
    if (refresh.getCreateRevision() != 0 && refresh.getCreateRevision() != current.getCreateRevision()) {
      return failure(index, Failure.CONDITION_FAILED,
          "lease was re-created at revision " + current.getCreateRevision(), current);
    }
    return null;
  }

  /**
   * The lease a refresh would re-arm in the current state, or null when the refresh would be refused (the
   * leader-local refresh answers only successes; a refusal goes through the log like any refresh).
   */
  public Entry refreshable(Refresh refresh) {
    Entry current = entries.get(refresh.getKey());
    return refreshRefusal(lastIndex, refresh, current) == null ? current : null;
  }

  private Reply expire(long index, Expire expire, List<Change> changes) {
    Entry current = entries.get(expire.getKey());
    if (current == null || current.getTtlMillis() == 0
        || current.getLeaseRevision() != expire.getLeaseRevision()) {
      // Refreshed, re-created or deleted since the leader looked: the lease is not the one that ran out.
      return failure(index, Failure.CONDITION_FAILED, "lease changed since expiry was proposed", current);
    }
    entries.remove(expire.getKey());
    changes.add(new Change(expire.getKey(), index, true));
    return Reply.newBuilder().setSucceeded(true).setRevision(index).setDeleted(1).build();
  }

  private static boolean holds(Precondition condition, Entry current) {
    if (condition == null) {
      return true;
    }
    return switch (condition.getKindCase()) {
      case MOD_REVISION -> current != null && current.getModRevision() == condition.getModRevision();
      case VALUE -> current != null && current.getValue().equals(condition.getValue());
      case ABSENT -> current == null;
      case KIND_NOT_SET -> true;
    };
  }

  private static Reply failure(long index, Failure failure, String detail, Entry current) {
    Reply.Builder reply = Reply.newBuilder()
        .setSucceeded(false)
        .setRevision(index)
        .setFailure(failure)
        .setDetail(detail);
    if (current != null) {
      reply.setEntry(current);
    }
    return reply.build();
  }

  /** Entries whose key starts with {@code prefix}, in key order (a live view: copy before releasing a lock). */
  public NavigableMap<String, Entry> underPrefix(String prefix) {
    // Keys starting with the prefix form the range [prefix, successor): successor drops trailing U+FFFF
    // characters and increments the last remaining one. With nothing left, the range is open-ended.
    int end = prefix.length();
    while (end > 0 && prefix.charAt(end - 1) == Character.MAX_VALUE) {
      end--;
    }
    if (end == 0) {
      return Collections.unmodifiableNavigableMap(entries.tailMap(prefix, true));
    }
    String successor = prefix.substring(0, end - 1) + (char) (prefix.charAt(end - 1) + 1);
    return Collections.unmodifiableNavigableMap(entries.subMap(prefix, true, successor, false));
  }

  /** Copy of the entries under {@code prefix}. */
  public List<Entry> read(String prefix) {
    return new ArrayList<>(underPrefix(prefix).values());
  }

  public Entry get(String key) {
    return entries.get(key);
  }

  /** Keys that currently hold a lease, for the leader's expiry tracker. */
  public List<Entry> leases() {
    List<Entry> leased = new ArrayList<>();
    for (Entry entry : entries.values()) {
      if (entry.getTtlMillis() > 0) {
        leased.add(entry);
      }
    }
    return leased;
  }

  public long lastIndex() {
    return lastIndex;
  }

  public int size() {
    return entries.size();
  }

  /** Serialisable image of the whole state, including client sessions (so dedup survives snapshots). */
  public Snapshot toSnapshot() {
    return Snapshot.newBuilder()
        .setFormat(SNAPSHOT_FORMAT)
        .setLastIndex(lastIndex)
        .addAllEntries(entries.values())
        .addAllSessions(sessions.toProto())
        .build();
  }

  /** Replaces the whole state with a snapshot's. */
  public void restore(Snapshot snapshot) {
    if (snapshot.getFormat() != SNAPSHOT_FORMAT) {
      throw new IllegalArgumentException("snapshot format " + snapshot.getFormat()
          + " is not supported by this version (supports " + SNAPSHOT_FORMAT + ")");
    }
    entries.clear();
    for (Entry entry : snapshot.getEntriesList()) {
      entries.put(entry.getKey(), entry);
    }
    sessions.restore(snapshot.getSessionsList());
    lastIndex = snapshot.getLastIndex();
  }

  /** Exposed for tests: number of client sessions currently remembered. */
  int sessionCount() {
    return sessions.size();
  }
}
