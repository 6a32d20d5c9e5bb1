package io.pgquorum.dcs.host;

import io.pgquorum.dcs.lease.LeaseTracker;
import io.pgquorum.dcs.proto.Command;
import io.pgquorum.dcs.proto.Entry;
import io.pgquorum.dcs.proto.Expire;
import io.pgquorum.dcs.proto.QueryReply;
import io.pgquorum.dcs.proto.Refresh;
import io.pgquorum.dcs.proto.Reply;
import io.pgquorum.dcs.proto.Snapshot;
import io.pgquorum.dcs.statemachine.KvStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Hosts a {@link KvStore} for one member: serialises apply against reads, feeds the {@link LeaseTracker}, and
 * wakes watchers. Shared by the in-memory DCS and the Ratis state machine, so that both behave the same.
 *
 * <p>Everything here that is not in {@link KvStore} is member-local and not replicated: the lease timings and
 * the recent-change history used by watches. Losing them (restart) is safe: leases are re-armed later and
 * watches wake spuriously.
 */
public final class StoreHost {

  /** How many recent changes a member remembers for watches that start behind the head. */
  static final int CHANGE_HISTORY = 4096;
  /** A member never holds a watch longer than this; clients wait longer by asking again. */
  static final long MAX_WATCH_MILLIS = 60_000;

  private record Watcher(List<String> prefixes, long afterRevision, CompletableFuture<QueryReply> future) {}

  private final KvStore store = new KvStore();
  private final LeaseTracker leases;
  private final ArrayDeque<KvStore.Change> history = new ArrayDeque<>();
  /** Watches asking about revisions at or below this may have missed changes; they wake at once. */
  private long historyFloor;
  private final List<Watcher> watchers = new ArrayList<>();

  public StoreHost(LeaseTracker leases) {
    this.leases = leases;
  }

  /** Applies a committed command at {@code index} and returns its deterministic reply. */
  public Reply apply(long index, Command command) {
    List<CompletableFuture<QueryReply>> wake = new ArrayList<>();
    List<QueryReply> wakeWith = new ArrayList<>();
    Reply reply;
    synchronized (this) {
      KvStore.Applied applied = store.apply(index, command);
      reply = applied.reply();
      if (command.hasExpire()) {
        leases.proposalSettled(command.getExpire());
        if (!reply.getSucceeded()) {
          // The lease changed since the leader timed it: make sure the timer follows the key as it is now,
          // so a stale timer can never keep proposing no-op expiries (or leave the current lease untimed).
          leases.reconcile(command.getExpire().getKey(), store.get(command.getExpire().getKey()));
        }
      }
      // Only a fresh execution re-arms a timer: a cached reply's entry is the key as it was back then.
      if (applied.executed() && reply.getSucceeded() && reply.hasEntry()
          && (command.hasPut() || command.hasRefresh())) {
        leases.onWritten(reply.getEntry());
      }
      for (KvStore.Change change : applied.changes()) {
        if (change.deleted()) {
          leases.onRemoved(change.key());
        }
        history.addLast(change);
        if (history.size() > CHANGE_HISTORY) {
          historyFloor = history.removeFirst().revision();
        }
      }
      if (!applied.changes().isEmpty()) {
        for (Iterator<Watcher> it = watchers.iterator(); it.hasNext(); ) {
          Watcher w = it.next();
          long hit = firstChange(applied.changes(), w.prefixes(), w.afterRevision());
          if (hit > 0) {
            it.remove();
            wake.add(w.future());
            wakeWith.add(watchReply(true, hit));
          }
        }
      }
    }
    // Complete outside the lock: callbacks may run arbitrary code (Ratis reply path).
    for (int i = 0; i < wake.size(); i++) {
      wake.get(i).complete(wakeWith.get(i));
    }
    return reply;
  }

  /** Consistent copy of the keys under {@code prefix} with the applied revision. */
  public synchronized QueryReply read(String prefix) {
    return QueryReply.newBuilder().setRevision(store.lastIndex()).addAllEntries(store.read(prefix)).build();
  }

  public synchronized Entry get(String key) {
    return store.get(key);
  }

  public synchronized long lastIndex() {
    return store.lastIndex();
  }

  /**
   * Completes when a key under any of {@code prefixes} changes above {@code afterRevision}, or with
   * {@code changed=false} after {@code maxWaitMillis}.
   */
  public CompletableFuture<QueryReply> watch(List<String> prefixes, long afterRevision, long maxWaitMillis,
      ScheduledExecutorService timer) {
    CompletableFuture<QueryReply> future = new CompletableFuture<>();
    synchronized (this) {
      if (afterRevision < historyFloor) {
        return CompletableFuture.completedFuture(watchReply(true, store.lastIndex()));
      }
      long hit = firstChange(history, prefixes, afterRevision);
      if (hit > 0) {
        return CompletableFuture.completedFuture(watchReply(true, hit));
      }
      watchers.add(new Watcher(List.copyOf(prefixes), afterRevision, future));
    }
    ScheduledFuture<?> timeout = timer.schedule(() -> {
      QueryReply timedOut;
      synchronized (this) {
        // Only the side that removes the watcher answers it: if an apply already took it, that apply's
        // "changed" answer stands; otherwise no change can slip in between removal and this reply.
        if (!watchers.removeIf(w -> w.future() == future)) {
          return;
        }
        timedOut = watchReply(false, 0);
      }
      future.complete(timedOut);
    }, Math.min(Math.max(0, maxWaitMillis), MAX_WATCH_MILLIS), TimeUnit.MILLISECONDS);
    future.whenComplete((r, e) -> timeout.cancel(false));
    return future;
  }

  private QueryReply watchReply(boolean changed, long changeRevision) {
    long revision;
    synchronized (this) {
      revision = store.lastIndex();
    }
    return QueryReply.newBuilder().setChanged(changed).setChangeRevision(changeRevision).setRevision(revision)
        .build();
  }

  private static long firstChange(Iterable<KvStore.Change> changes, List<String> prefixes, long afterRevision) {
    for (KvStore.Change c : changes) {
      if (c.revision() > afterRevision && under(c.key(), prefixes)) {
        return c.revision();
      }
    }
    return 0;
  }

  /** The prefixes a watch query names: its {@code prefix} and its {@code more_prefixes}. */
  public static List<String> prefixes(io.pgquorum.dcs.proto.Watch watch) {
    List<String> all = new ArrayList<>(1 + watch.getMorePrefixesCount());
    all.add(watch.getPrefix());
    all.addAll(watch.getMorePrefixesList());
    return all;
  }

  private static boolean under(String key, List<String> prefixes) {
    for (String p : prefixes) {
      if (key.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /** Leases whose expiry the leader should propose now (see {@link LeaseTracker}). */
  public synchronized List<Expire> dueExpiries() {
    return leases.due();
  }

  /**
   * As {@link #dueExpiries()} for the Raft leader of {@code leaderTerm}, which first re-arms every lease when the
   * term is new to the tracker ({@link LeaseTracker#onLeaderTerm}). The in-memory DCS, which has one leader for
   * ever, uses {@link #dueExpiries()}.
   */
  public synchronized List<Expire> dueExpiries(long leaderTerm) {
    leases.onLeaderTerm(leaderTerm);
    return leases.due();
  }

  /** See {@link LeaseTracker#nanosToNextDue}. */
  public synchronized OptionalLong nanosToNextExpiry() {
    return leases.nanosToNextDue();
  }

  /**
   * The start of a leader-local refresh, by the leader of {@code leaderTerm}: the lease {@code refresh} would
   * re-arm, with its timer re-armed now; or, when it must take the durable path instead, why.
   */
  public record LocalRefresh(Entry lease, String unserved) {}

  /** See {@link LocalRefresh}; checks and re-arms under the same lock as apply, so no expiry slips between. */
  public synchronized LocalRefresh beginLocalRefresh(long leaderTerm, Refresh refresh) {
    leases.onLeaderTerm(leaderTerm);
    Entry lease = store.refreshable(refresh);
    if (lease == null) {
      return new LocalRefresh(null, "refused by the current state (the log decides refusals)");
    }
    if (!leases.refreshedLocally(lease.getKey(), lease.getLeaseRevision())) {
      return new LocalRefresh(null, "expiry of this lease revision is proposed or untimed");
    }
    return new LocalRefresh(lease, "");
  }

  public synchronized void expiryProposalFailed(Expire expire) {
    leases.proposalSettled(expire);
  }

  public synchronized void clearExpiryProposals() {
    leases.clearProposals();
  }

  public synchronized Snapshot snapshot() {
    return store.toSnapshot();
  }

  /** Replaces the state with a snapshot's; re-arms every lease now and wakes all watchers (they re-read). */
  public void restore(Snapshot snapshot) {
    List<Watcher> woken;
    synchronized (this) {
      store.restore(snapshot);
      leases.onRestored(store.leases());
      history.clear();
      historyFloor = store.lastIndex();
      woken = new ArrayList<>(watchers);
      watchers.clear();
    }
    for (Watcher w : woken) {
      w.future().complete(watchReply(true, snapshot.getLastIndex()));
    }
  }
}
