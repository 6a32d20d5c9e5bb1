package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Initialize;
import io.pgquorum.coordinator.cluster.RestoreRecord;
import io.pgquorum.coordinator.config.BackrestBootstrap;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.StopMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A cluster-wide point-in-time recovery ({@code pgctl restore}, the DCS {@code restore} key, {@link RestoreRecord}).
 * Called by the {@link Decider} once no task runs; empty when the usual rules decide.
 *
 * <ul>
 *   <li><b>stopping</b>: normal HA is suspended. Each member stops PostgreSQL (fast), moves its data directory aside
 *       to {@code <data_dir>.restore-<id>} (never deleted) and adds itself to {@code ready}; the lock holder then
 *       releases the lock. Stopping first is the safety rule: a stop is always safe, and nobody keeps PostgreSQL
 *       writable while the cluster is being reset. Who is waited for: every member with a member key. A member that
 *       is down has no key once its ttl ran out and is not waited for; when it comes back during the restore it
 *       finds the record and stops and moves aside like the others (a member that comes back after it is done
 *       with its old data joins as after any bootstrap: a system-identifier or timeline check decides).
 *   <li>Every member ready and the lock gone: the first member by name (deterministic; the holder released the
 *       lock already) removes {@code initialize} (at the revision it saw), {@code status}, {@code failover} and
 *       {@code sync} and moves the record to <b>bootstrapping</b>; never the leader lock (gone already: one there
 *       now was taken since, and may cover a writable primary).
 *   <li><b>bootstrapping</b>: the initialize race as for a new cluster, but the winner restores the backup to the
 *       record's target with promote there ({@link Action.BootstrapFromBackup}); the usual bootstrap rules then take
 *       the lock and start it as primary. The others wait (no clone yet: the primary's new timeline must exist
 *       first). The new primary, once it runs under the lock with {@code initialize} recorded, writes <b>done</b>
 *       with its timeline; HA resumes and the others clone it (the replica methods, from the repository first).
 *       A member other than the race's owner that has data or a server (it was down during stopping) stops and
 *       moves aside as in stopping: the usual rules would race it for the free lock with the old data.
 *   <li>A failed bootstrap (the target cannot be reached: PostgreSQL ends recovery before it and refuses to start)
 *       writes <b>failed</b> with the failure instead of ending the daemon as a failed bootstrap otherwise does,
 *       and gives the race back; the data directories stay aside. While failed, a node without data does not race
 *       to bootstrap with initdb (that would make a new empty cluster): it waits for another {@code pgctl restore}.
 * </ul>
 */
final class RestoreRules {
  private RestoreRules() {}

  static Optional<Decision> decide(ClusterSnapshot c, LocalState local, HaPolicy policy) {
    Optional<RestoreRecord> found = c.restore();
    if (found.isEmpty() || found.get().phase().equals(RestoreRecord.DONE)) {
      return Optional.empty();
    }
    RestoreRecord r = found.get();
    return switch (r.phase()) {
      case RestoreRecord.STOPPING -> Optional.of(stopping(c, r, local, policy));
      case RestoreRecord.BOOTSTRAPPING -> bootstrapping(c, r, local, policy);
      default -> failed(c, r, local);
    };
  }

  private static Decision stopping(ClusterSnapshot c, RestoreRecord r, LocalState local, HaPolicy policy) {
    String me = policy.name();
    PgState pg = local.pg();
    boolean holder = c.isLeader(me);
    if (!r.ready().contains(me)) {
      List<Action> actions = new ArrayList<>();
      if (pg.running() || pg.pid().isPresent() || pg.isUnknown()) {
        actions.add(new Action.StopPostgres(StopMode.FAST));
      }
      if (pg.dataDir() == DataDirState.INITIALIZED || pg.dataDir() == DataDirState.BOOTSTRAP_INCOMPLETE) {
        actions.add(new Action.MoveAsideForRestore(r.id()));
      }
      actions.add(new Action.MarkRestoreReady(r.withReady(me)));
      if (holder) {
        actions.add(new Action.ReleaseLock());
      }
      return new Decision(actions, DecisionMessage.RESTORE_STOPPING.format(r.id(), r.describeTarget()));
    }
    if (holder) {
      // Ready but still holding (the release was lost): nothing runs here any more, give the lock up.
      return Decision.of(DecisionMessage.RESTORE_WAITING_FOR_LOCK.format(r.id(), me), new Action.ReleaseLock());
    }
    List<String> waiting = c.members().keySet().stream().filter(m -> !r.ready().contains(m)).toList();
    if (!waiting.isEmpty()) {
      return Decision.of(DecisionMessage.RESTORE_WAITING_FOR_MEMBERS.format(r.id(), waiting));
    }
    if (c.leader().isPresent()) {
      return Decision.of(DecisionMessage.RESTORE_WAITING_FOR_LOCK.format(r.id(), c.leader().get().name()));
    }
    // Deterministic: the first ready member by name (the members map is sorted; every member is ready here).
    String resetter = c.members().isEmpty() ? me : c.members().keySet().iterator().next();
    if (!resetter.equals(me)) {
      return Decision.of(DecisionMessage.RESTORE_WAITING_FOR_RESET.format(r.id(), resetter));
    }
    return Decision.of(DecisionMessage.RESTORE_RESETTING.format(r.id()),
        new Action.ResetForRestore(r.inPhase(RestoreRecord.BOOTSTRAPPING, Optional.empty(), 0)));
  }

  private static Optional<Decision> bootstrapping(ClusterSnapshot c, RestoreRecord r, LocalState local,
      HaPolicy policy) {
    String me = policy.name();
    PgState pg = local.pg();
    Optional<Initialize> init = c.initialize();
    boolean ownRace = init.map(i -> i.bootstrapInProgress() && me.equals(i.owner())).orElse(false);
    Optional<String> failure = local.failedTask().filter(f -> Task.ofFailure(f)
        .map(t -> t == Task.BOOTSTRAP || t == Task.START_PRIMARY).orElse(false));
    if (ownRace && failure.isPresent()) {
      // The task moved what it made aside already (a failed start is stopped and moved here).
      List<Action> actions = new ArrayList<>();
      if (pg.dataDir() == DataDirState.INITIALIZED || pg.dataDir() == DataDirState.BOOTSTRAP_INCOMPLETE) {
        actions.add(new Action.StopPostgres(StopMode.IMMEDIATE));
        actions.add(new Action.MoveDataDirectoryAside(
            DecisionMessage.RESTORE_FAILED_BOOTSTRAP.format(r.id(), failure.get())));
      }
      actions.add(new Action.CancelInitialize());
      if (c.isLeader(me)) {
        actions.add(new Action.ReleaseLock());
      }
      actions.add(new Action.FinishRestore(r.inPhase(RestoreRecord.FAILED, failure, 0)));
      return Optional.of(new Decision(actions,
          DecisionMessage.RESTORE_FAILED_BOOTSTRAP.format(r.id(), failure.get())));
    }
    boolean initialized = init.map(i -> !i.bootstrapInProgress()).orElse(false);
    if (c.isLeader(me) && pg.isPrimary() && initialized) {
      String done = DecisionMessage.RESTORE_DONE.format(r.id(), pg.timeline());
      return Optional.of(Decision.of(done, Decider.keepLock(c, policy),
          new Action.FinishRestore(r.inPhase(RestoreRecord.DONE, Optional.of(done), pg.timeline()))));
    }
    boolean noData = pg.dataDir() == DataDirState.MISSING || pg.dataDir() == DataDirState.EMPTY;
    boolean raceOwner = init.map(i -> me.equals(i.owner())).orElse(false);
    boolean serverMayRun = pg.running() || pg.pid().isPresent() || pg.isUnknown();
    boolean hasData = pg.dataDir() == DataDirState.INITIALIZED || pg.dataDir() == DataDirState.BOOTSTRAP_INCOMPLETE;
    if (!raceOwner && (hasData || serverMayRun)) {
      // Only the race winner has data now: everyone else moved theirs aside in stopping. A member that was down
      // then (no member key, not waited for) comes back with the old cluster's data; the usual rules would start
      // it and let it race for the free lock, promoting the data the restore is rolling back. It stops and moves
      // aside like the others did (and holds no lock here: only the winner takes one while bootstrapping).
      List<Action> actions = new ArrayList<>();
      if (serverMayRun) {
        actions.add(new Action.StopPostgres(StopMode.FAST));
      }
      if (hasData) {
        actions.add(new Action.MoveAsideForRestore(r.id()));
      }
      if (c.isLeader(me)) {
        actions.add(new Action.ReleaseLock());
      }
      return Optional.of(new Decision(actions, DecisionMessage.RESTORE_STOPPING.format(r.id(), r.describeTarget())));
    }
    if (!noData || ownRace) {
      return Optional.empty(); // the usual bootstrap rules: the winner takes the lock and starts its primary
    }
    if (init.isEmpty() && c.leader().isEmpty() && policy.tags().canFailover()) {
      BackrestBootstrap target = new BackrestBootstrap(r.kind(), r.target(), r.exclusive(), r.set());
      return Optional.of(Decision.of(DecisionMessage.RESTORE_BOOTSTRAP_RACE.format(r.id(), r.describeTarget()),
          new Action.RaceInitialize(), new Action.BootstrapFromBackup(target, policy.node().bootstrapDcs())));
    }
    return Optional.of(Decision.of(DecisionMessage.RESTORE_WAITING_FOR_PRIMARY.format(r.id())));
  }

  private static Optional<Decision> failed(ClusterSnapshot c, RestoreRecord r, LocalState local) {
    PgState pg = local.pg();
    boolean noData = pg.dataDir() == DataDirState.MISSING || pg.dataDir() == DataDirState.EMPTY;
    if (noData && c.initialize().isEmpty() && c.leader().isEmpty()) {
      return Optional.of(Decision.of(DecisionMessage.RESTORE_FAILED_WAITING.format(r.id(),
          r.detail().orElse(RestoreRecord.FAILED))));
    }
    return Optional.empty();
  }
}
