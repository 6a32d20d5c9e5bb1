package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.TimeUnits;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.Upstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules for an operator's requests on this node's PostgreSQL (restart now or at a time, reinitialize, reload),
 * applied by {@link Decider#decide} to the cycle's decision; pure like it. Patroni's behaviour (the operations
 * reference, A.3 to A.6), with these choices:
 * <ul>
 *   <li>A request is answered in the cycle that takes it: a refusal keeps the cycle's own plan (the holder still
 *       refreshes its lock) and adds the answer; an accepted restart or reinitialize replaces the plan with the
 *       holder's lock refresh and the task. The task's outcome answers an immediate restart.
 *   <li>The primary keeps its lock through a restart: the task stops it (fast) and starts it again as primary,
 *       under the lease rules of every primary start (checked right before the start; the loop refreshes the
 *       lock while the task runs, and the lease guard fences should the lease run out anyway).
 *   <li>A scheduled restart lives in {@link HaMemory#scheduledRestart()} (and in the member key, published by the
 *       loop): it fires in the first cycle at or after its time, with its conditions evaluated then; one more than
 *       1.5 loop_wait late (the daemon was stopped or frozen) is dropped as stale, as Patroni drops a stale
 *       switchover. One that finds a task running waits for it, within the same bound.
 *   <li>A reinitialize moves the data directory aside (never deletes it) and clones again: from the
 *       {@code clonefrom} member when there is one, else the leader; {@code from_leader}: the leader, with
 *       pg_basebackup. Refused on the lock holder and without a leader. A running task refuses it ("already in
 *       progress"), unless {@code force}: then the task is cancelled first ({@link #CANCELLABLE}).
 *   <li>A reload is added to a plan that leaves the running server alone; any start writes the configuration
 *       anyway.
 * </ul>
 */
final class LocalOperations {
  private LocalOperations() {}

  /** How much later than its time a scheduled restart may still fire, in loop_waits (Patroni's stale rule). */
  static final double STALE_LOOP_WAITS = 1.5;

  static Decision apply(Decision base, Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy,
      long nowNanos) {
    Optional<LocalRequest.ScheduledRestart> scheduled = local.memory().scheduledRestart();
    if (local.shutdownRequested() && base.memory().leavingSync().isPresent()) {
      // A shutdown held while this synchronous standby leaves its duty (leavingSyncBeforeShutdown): as decided.
      return base.withMemory(base.memory().withScheduledRestart(scheduled));
    }
    Optional<HaMemory.LeavingSync> leaving = local.memory().leavingSync();
    Decision d = base.withMemory(base.memory().withScheduledRestart(scheduled).withLeavingSync(leaving));
    if (leaving.isPresent()) {
      // A held-back restart goes first (a new request meanwhile waits for the next cycle: the loop cycles again at
      // once while requests wait, and takes one per cycle).
      if (cluster.isEmpty() || local.shutdownRequested()) {
        // Nothing to leave without the DCS, and a shutdown ends the node anyway: the restart is refused.
        Decision dropped = d.withMemory(d.memory().withLeavingSync(Optional.empty()));
        if (local.shutdownRequested() && leaving.get().id() == 0) {
          // Nobody waits (a held shutdown's own departure, or a scheduled restart): the shutdown's plan as it is.
          return dropped;
        }
        return cluster.isEmpty()
            ? answer(dropped, leaving.get().id(), RequestAnswer.DCS_UNREACHABLE,
                DecisionMessage.REQUEST_REFUSED_DCS.format())
            : answer(dropped, leaving.get().id(), RequestAnswer.SHUTTING_DOWN,
                DecisionMessage.REQUEST_REFUSED_SHUTDOWN.format());
      }
      return restart(d, leaving.get().id(), leaving.get().conditions(), cluster.get(), local, policy,
          DecisionMessage.RESTARTING.format(), nowNanos);
    }
    if (local.request().isPresent()) {
      return request(d, local.request().get(), cluster, local, policy, nowNanos);
    }
    if (scheduled.isPresent() && nowNanos >= scheduled.get().dueNanos()) {
      return fire(d, scheduled.get(), cluster, local, policy, nowNanos);
    }
    return d;
  }

  private static Decision request(Decision d, LocalRequest r, Optional<ClusterSnapshot> cluster, LocalState local,
      HaPolicy policy, long nowNanos) {
    Optional<LocalRequest.ScheduledRestart> scheduled = d.memory().scheduledRestart();
    if (r instanceof LocalRequest.Reload) {
      boolean quiet = local.pg().running() && local.runningTask().isEmpty() && !local.shutdownRequested()
          && d.actions().stream().noneMatch(a -> a instanceof Action.TaskAction || a instanceof Action.ChangesPostgres);
      if (!quiet) {
        return d;
      }
      List<Action> actions = new ArrayList<>(d.actions());
      actions.add(new Action.ReloadPostgres());
      return d.withActions(actions);
    }
    if (r instanceof LocalRequest.CancelRestart) {
      if (scheduled.isEmpty()) {
        return answer(d, r, RequestAnswer.NO_RESTART_SCHEDULED, DecisionMessage.NO_SCHEDULED_RESTART.format());
      }
      return answer(d, r, RequestAnswer.SCHEDULED_RESTART_DELETED,
          DecisionMessage.SCHEDULED_RESTART_CANCELLED.format(scheduled.get().at()))
          .withMemory(d.memory().withScheduledRestart(Optional.empty()));
    }
    if (local.shutdownRequested()) {
      return answer(d, r, RequestAnswer.SHUTTING_DOWN, DecisionMessage.REQUEST_REFUSED_SHUTDOWN.format());
    }
    if (cluster.isEmpty()) {
      return answer(d, r, RequestAnswer.DCS_UNREACHABLE, DecisionMessage.REQUEST_REFUSED_DCS.format());
    }
    ClusterSnapshot c = cluster.get();
    if (r instanceof LocalRequest.Restart restart) {
      if (restart.schedule().isPresent()) {
        if (scheduled.isPresent()) {
          return answer(d, r, RequestAnswer.RESTART_ALREADY_SCHEDULED,
              DecisionMessage.RESTART_ALREADY_SCHEDULED.format(scheduled.get().at()));
        }
        return answer(d, r, RequestAnswer.RESTART_SCHEDULED,
            DecisionMessage.RESTART_SCHEDULED.format(restart.schedule().get().at()))
            .withMemory(d.memory().withScheduledRestart(restart.schedule()));
      }
      return restart(d, r.id(), restart.conditions(), c, local, policy, DecisionMessage.RESTARTING.format(),
          nowNanos);
    }
    LocalRequest.Reinitialize reinit = (LocalRequest.Reinitialize) r;
    return reinitialize(d, reinit, c, local, policy);
  }

  /** A scheduled restart whose time has come: restart (conditions checked now), wait for a task, or drop it. */
  private static Decision fire(Decision d, LocalRequest.ScheduledRestart s, Optional<ClusterSnapshot> cluster,
      LocalState local, HaPolicy policy, long nowNanos) {
    long lateNanos = nowNanos - s.dueNanos();
    long staleNanos = (long) (STALE_LOOP_WAITS
        * TimeUnits.max(Duration.ofSeconds(1), policy.dynamic().loopWait()).toNanos());
    Decision dropped = d.withMemory(d.memory().withScheduledRestart(Optional.empty()));
    if (lateNanos > staleNanos) {
      return new Decision(d.actions(), DecisionMessage.SCHEDULED_RESTART_STALE.format(s.at()), dropped.memory(),
          d.ifGateFails(), true);
    }
    if (cluster.isEmpty() || local.shutdownRequested() || local.runningTask().isPresent()) {
      return d; // not now: the next cycles try again until it is stale
    }
    return restart(dropped, 0, s.conditions(), cluster.get(), local, policy,
        DecisionMessage.RESTARTING_SCHEDULED.format(s.at()), nowNanos);
  }

  /**
   * A clean shutdown (SIGTERM, {@code stop()}) of a synchronous standby: like a restart, it leaves its duty first
   * (nosync in its member key, PostgreSQL kept running) until the {@code sync} key no longer lists it, for at most
   * 2 loop_waits once nosync is read back ({@link HaMemory.LeavingSync#waitOver}); the loop keeps cycling while
   * the decision remembers the departure ({@link HaLoop#run}). Empty when the shutdown may stop PostgreSQL now:
   * not a running replica, mode not enforced, not listed, no DCS snapshot (nobody to tell), or the wait is over.
   */
  static Optional<Decision> leavingSyncBeforeShutdown(Optional<ClusterSnapshot> cluster, LocalState local,
      HaPolicy policy, long nowNanos) {
    String me = policy.name();
    PgState pg = local.pg();
    if (cluster.isEmpty() || !pg.running() || pg.isPrimary() || !SyncDuty.enforced(policy)
        || !onSyncDuty(cluster.get(), policy)) {
      return Optional.empty();
    }
    HaMemory.LeavingSync next = HaMemory.LeavingSync.next(local.memory().leavingSync(), 0,
        LocalRequest.RestartConditions.NONE, nosyncSeen(cluster.get(), me), nowNanos);
    if (next.waitOver(policy.dynamic().loopWait().toNanos(), nowNanos)) {
      return Optional.empty();
    }
    HaMemory memory = local.memory().withLeavingSync(Optional.of(next));
    return Optional.of(new Decision(List.of(), DecisionMessage.SHUTDOWN_LEAVING_SYNC.format(me), memory,
        Optional.empty(), true));
  }

  /**
   * Whether this node still has synchronous duty: the {@code sync} key lists it, or the leader's member key says
   * its synchronous_standby_names still names it ({@link Member#SYNCHRONOUS_STANDBY_NAMES}). Why both: the primary
   * shrinks the key first and moves the setting after it (so that the key never names a standby that may have
   * missed a commit), and a departure that ended on the key alone stopped PostgreSQL in between, with every commit
   * waiting for it until the setting moved (seen in SyncReplicationIT once replicas woke on the key's change
   * within milliseconds instead of at their next loop_wait). The setting is read from the member key the primary
   * writes after the cycle that moved it (HaLoop probes again after a plan that sets it); a leader that does not
   * publish the field (an older version) leaves the key as the only sign, the rule before. A holder whose member
   * key does not show it as a running primary yet keeps this node on duty (unknown, see below).
   */
  static boolean onSyncDuty(ClusterSnapshot c, HaPolicy policy) {
    String me = policy.name();
    if (c.sync().map(y -> y.lists(me)).orElse(false)) {
      return true;
    }
    if (policy.bugs().active(HaBug.LEAVE_SYNC_ON_KEY_ALONE)) {
      return false; // PLANTED BUG leave-sync-on-key-alone (fault-injection harness only): the key alone decides.
    }
    if (c.leader().isEmpty()) {
      return false;
    }
    Member leader = c.members().get(c.leader().get().name());
    if (leader == null || !Publication.isPrimaryRole(leader.role())) {
      // Unknown while the lock's holder runs PostgreSQL but has not yet published itself as a primary (it promoted,
      // or is promoting, and its first member write as a primary has not landed: a DCS without a majority, a lost
      // reply, or just the cycle not over yet). Its promotion set synchronous_standby_names before that write
      // (SyncDuty.beforePromotion: in quorum mode ANY n over the former voters, which may name this node) while
      // the claimed sync key names nobody, so neither sign can clear this node. It stays on duty; the wait is
      // bounded (2 loop_waits), and ends as soon as the holder's key shows the setting (found by the simulator,
      // seed 1275000098526). A holder whose key shows PostgreSQL not running has no commit waiting for anyone.
      return leader == null || leader.isRunning();
    }
    return leader.synchronousStandbyNames()
        .map(s -> io.pgquorum.coordinator.ha.sync.SyncStandbyNames.parse(s).lists(me)).orElse(false);
  }

  /**
   * The member key a replica's loop watches between cycles besides the cluster's keys: the leader's, while this node
   * leaves synchronous duty. Its departure ends when that key stops naming it ({@link #onSyncDuty}), which the
   * primary writes right after it moved synchronous_standby_names; without the watch the departure went on at its
   * next loop_wait tick (up to loop_wait late, 10 s at Patroni's setting), every other key having changed before.
   */
  static Optional<String> memberToWatch(HaMemory memory, Optional<ClusterSnapshot> last) {
    if (memory.leavingSync().isEmpty()) {
      return Optional.empty();
    }
    return last.flatMap(ClusterSnapshot::leader).map(LeaderLock::name);
  }

  /** Whether the snapshot shows this node's member key with the {@code nosync} tag its departure publishes. */
  private static boolean nosyncSeen(ClusterSnapshot c, String me) {
    Member self = c.members().get(me);
    return self != null && self.nosync();
  }

  private static Decision restart(Decision held, long id, LocalRequest.RestartConditions conditions,
      ClusterSnapshot c, LocalState local, HaPolicy policy, String message, long nowNanos) {
    Optional<HaMemory.LeavingSync> leaving = held.memory().leavingSync();
    // Whatever is decided below answers or starts the restart: it is no longer held back (unless held again).
    Decision d = held.withMemory(held.memory().withLeavingSync(Optional.empty()));
    PgState pg = local.pg();
    String me = policy.name();
    boolean holder = c.isLeader(me);
    if (local.runningTask().isPresent()) {
      Task t = local.runningTask().get();
      return answer(d, id, RequestAnswer.IN_PROGRESS.status(), RequestAnswer.text(t),
          DecisionMessage.RESTART_REFUSED_TASK.format(t.label()));
    }
    if (!pg.running() || pg.isUnknown()) {
      if (pg.pid().isPresent()) {
        return answer(d, id, RequestAnswer.STILL_STARTING, DecisionMessage.RESTART_STILL_STARTING.format());
      }
      return answer(d, id, RequestAnswer.RESTART_CONDITIONS_NOT_SATISFIED,
          DecisionMessage.RESTART_NOT_RUNNING.format());
    }
    if (pg.isPrimary() && !holder) {
      return answer(d, id, RequestAnswer.RESTART_CONDITIONS_NOT_SATISFIED,
          DecisionMessage.RESTART_PRIMARY_WITHOUT_LOCK.format());
    }
    boolean standbyLeader = holder && pg.isReplica() && policy.dynamic().standbyCluster().isPresent();
    String role = standbyLeader ? Publication.STANDBY_LEADER : Publication.roleOf(pg);
    Optional<String> wantRole = conditions.role();
    if (wantRole.isPresent() && !wantRole.get().equals(role)) {
      return answer(d, id, RequestAnswer.RESTART_CONDITIONS_NOT_SATISFIED,
          DecisionMessage.RESTART_ROLE_MISMATCH.format(role, wantRole.get()));
    }
    if (conditions.postgresVersion().isPresent()
        && !(pg.serverVersion() > 0 && pg.serverVersion() < conditions.postgresVersion().getAsInt())) {
      return answer(d, id, RequestAnswer.RESTART_CONDITIONS_NOT_SATISFIED,
          DecisionMessage.RESTART_VERSION_MISMATCH.format(pg.serverVersion(),
              conditions.postgresVersion().getAsInt()));
    }
    if (conditions.onlyIfPending() && !pg.pendingRestart()) {
      return answer(d, id, RequestAnswer.RESTART_CONDITIONS_NOT_SATISFIED,
          DecisionMessage.RESTART_NOT_PENDING.format());
    }
    if (!pg.isPrimary() && !holder && SyncDuty.enforced(policy) && onSyncDuty(c, policy)) {
      // A synchronous standby leaves its duty first: it publishes nosync (Publication) and waits until the primary
      // has dropped it from the key (and then from synchronous_standby_names), so that commits in non-strict mode
      // do not hang while it restarts. Bounded: a primary that does not act within 2 loop_waits (Patroni's bound)
      // does not keep the operator's restart waiting; the restart then goes ahead as it would have anyway. The
      // bound counts from the first cycle that reads nosync back from the DCS (HaMemory.LeavingSync): counted from
      // the decision, the primary's next cycle, a loop_wait plus its own duration, could start after the nosync
      // write and still end past the bound when loop_wait is short and cycles are slow (seen in SyncReplicationIT
      // with loop_wait 1 on a loaded 2-core machine: key dropped 0.3 s after the restart had begun).
      HaMemory.LeavingSync next = HaMemory.LeavingSync.next(leaving, id, conditions, nosyncSeen(c, me), nowNanos);
      if (!next.waitOver(policy.dynamic().loopWait().toNanos(), nowNanos)) {
        return new Decision(d.actions(), DecisionMessage.RESTART_LEAVING_SYNC.format(me), d.memory()
            .withLeavingSync(Optional.of(next)), Optional.empty(), true);
      }
      message = DecisionMessage.RESTART_LEAVING_SYNC_TIMED_OUT.format(me);
    }
    List<Action> actions = new ArrayList<>();
    Action.RestartPostgres task;
    // Patroni's: the caller's timeout, else primary_start_timeout, bounds the start's wait (for every role).
    java.util.OptionalInt startTimeout = java.util.OptionalInt.of(
        conditions.timeoutSeconds().orElse(policy.dynamic().primaryStartTimeout()));
    if (pg.isPrimary()) {
      actions.add(Decider.keepLock(c, policy));
      actions.addAll(SyncDuty.beforeStart(c.sync(), policy));
      task = new Action.RestartPostgres(Optional.of(FencingToken.held(c.leader().get().fencingToken())),
          Optional.empty(), id, startTimeout);
    } else {
      if (holder) {
        actions.add(Decider.keepLock(c, policy));
      }
      task = new Action.RestartPostgres(Optional.empty(), upstream(c, policy, holder), id, startTimeout);
    }
    actions.add(task);
    return new Decision(actions, message, d.memory(), Optional.empty(), true);
  }

  /**
   * Whether the restart this holder ran has just ended with its start timed out: the task failed while the
   * postmaster is still alive but not accepting connections. The task waits for the start as long as the restart's
   * timeout (else primary_start_timeout) allows, so the timeout has run out by then, and Patroni's loop then treats
   * it as a primary start past its timeout: stop and release the lock if a replica can take over, else keep
   * waiting ({@code Decider.primaryStarting}). Read in the first cycle after the task only (a failure is reported
   * once); that decision remembers the timeout as spent, so the cycles after it keep the same rule.
   */
  static boolean restartTimedOut(LocalState local) {
    PgState pg = local.pg();
    return local.failedTask().flatMap(Task::ofFailure).filter(t -> t == Task.RESTART).isPresent()
        && local.runningTask().isEmpty() && !pg.running() && !pg.isUnknown() && pg.pid().isPresent();
  }

  /**
   * The failure of a restart whose PostgreSQL is not running afterwards, not even starting (a start that failed
   * outright, a lease found invalid before the start): Patroni's post_recover removes the leader key then, rather
   * than start the primary again; whoever wins the next race takes over.
   */
  static Optional<String> restartFailedDown(LocalState local) {
    PgState pg = local.pg();
    return local.failedTask().filter(f -> Task.ofFailure(f).filter(t -> t == Task.RESTART).isPresent())
        .filter(f -> local.runningTask().isEmpty() && !pg.running() && !pg.isUnknown() && pg.pid().isEmpty());
  }

  /** Where a restarted standby streams from: the remote (standby leader), its replicatefrom member, the leader. */
  private static Optional<Upstream> upstream(ClusterSnapshot c, HaPolicy policy, boolean holder) {
    if (holder) {
      return policy.dynamic().standbyCluster().map(Upstream::remote);
    }
    Decider.Cascade cascade = Decider.cascadeSource(c, policy.name(), policy.tags().replicatefrom());
    return cascade.via().isPresent() ? cascade.via().flatMap(Decider::upstreamOf)
        : c.leaderMember().flatMap(Decider::upstreamOf);
  }

  private static Decision reinitialize(Decision d, LocalRequest.Reinitialize r, ClusterSnapshot c, LocalState local,
      HaPolicy policy) {
    String me = policy.name();
    if (c.isLeader(me)) {
      return answer(d, r, RequestAnswer.LEADER_NO_REINITIALIZE, DecisionMessage.REINITIALIZE_REFUSED_LEADER.format());
    }
    Optional<Upstream> leader = c.leaderMember().flatMap(Decider::upstreamOf);
    if (c.leader().isEmpty() || leader.isEmpty()) {
      return answer(d, r, RequestAnswer.NO_LEADER_NO_REINITIALIZE,
          DecisionMessage.REINITIALIZE_REFUSED_NO_LEADER.format());
    }
    Optional<Task> cancel = local.runningTask();
    if (cancel.isPresent() && !(r.force() && CANCELLABLE.contains(cancel.get()))) {
      Task t = cancel.get();
      return answer(d, r.id(), RequestAnswer.IN_PROGRESS.status(), RequestAnswer.text(t),
          DecisionMessage.REINITIALIZE_REFUSED_TASK.format(t.label()));
    }
    Optional<Member> source = r.fromLeader() ? Optional.empty() : Decider.cloneSource(c, me);
    Upstream from = source.flatMap(Decider::upstreamOf).orElse(leader.get());
    List<Action> actions = new ArrayList<>();
    cancel.ifPresent(t -> actions.add(new Action.CancelTask(t, CANCEL_WAIT_SECONDS, r.id(),
        RequestAnswer.IN_PROGRESS.status(), RequestAnswer.text(t))));
    actions.add(new Action.Reinitialize(from, r.fromLeader()));
    actions.add(new Action.AnswerRequest(r.id(), RequestAnswer.REINITIALIZE_STARTED.status(),
        RequestAnswer.REINITIALIZE_STARTED.text()));
    if (cancel.isPresent()) {
      return new Decision(actions, DecisionMessage.REINITIALIZE_CANCELLING.format(cancel.get().label(), from.name()),
          d.memory(), Optional.of(DecisionMessage.REINITIALIZE_CANCEL_FAILED.format(cancel.get().label(),
              CANCEL_WAIT_SECONDS)), true);
    }
    return new Decision(actions, DecisionMessage.REINITIALIZING.format(from.name()), d.memory(), Optional.empty(),
        true);
  }

  /**
   * The tasks a reinitialize with {@code force} cancels (Patroni cancels whatever runs): those a replica runs, all
   * of which end in a data directory the reinitialize moves aside anyway. Never a bootstrap, a start as primary or
   * a promotion: those run only while this node holds (or races for) the lock, where a reinitialize is refused
   * before this list is read; kept out so that a lock lost at the same moment cannot turn into a cancelled
   * promotion.
   */
  static final java.util.Set<Task> CANCELLABLE =
      java.util.EnumSet.of(Task.CLONE, Task.REJOIN, Task.RESTART, Task.REINITIALIZE);

  /**
   * How long the loop waits for a cancelled task to end. Why this is enough: an interrupted task's tool is killed at
   * once and its polling waits end at once; only a JDBC call (bounded by retry_timeout, 10 s by default) or a
   * fence's stop can hold it longer, and the loop of a replica (the only one that reinitializes) has no lock to
   * refresh meanwhile.
   */
  static final long CANCEL_WAIT_SECONDS = 15;

  private static Decision answer(Decision d, LocalRequest r, RequestAnswer answer, String message) {
    return answer(d, r.id(), answer, message);
  }

  private static Decision answer(Decision d, long id, RequestAnswer answer, String message) {
    return answer(d, id, answer.status(), answer.text(), message);
  }

  /** The cycle's own plan, with the answer added and {@code message} logged (a scheduled restart has no caller). */
  private static Decision answer(Decision d, long id, int status, String text, String message) {
    List<Action> actions = new ArrayList<>(d.actions());
    if (id != 0) {
      actions.add(new Action.AnswerRequest(id, status, text));
    }
    return new Decision(actions, message, d.memory(), d.ifGateFails(), true);
  }
}
