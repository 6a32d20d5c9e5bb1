package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.config.CallbackAction;
import io.pgquorum.coordinator.config.TimeUnits;
import io.pgquorum.coordinator.postgres.PgState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which of this node's scripts a plan runs ({@code postgresql.callbacks}, {@code pre_promote}, {@code before_stop};
 * see {@link Hooks}), decided here, purely, and added to the plan as steps ({@link Action.RunCallback},
 * {@link Action.PrePromote}, {@link Action.BeforeStop}) so the decision transcripts show them; the executor only
 * runs them. Applied to every plan after the branch that made it; a node without scripts is left untouched.
 *
 * <p>Patroni's rules, as far as pgquorum's plans allow:
 * <ul>
 *   <li>on_stop right after a step that stops a running PostgreSQL, with the role it had;
 *   <li>on_start once a start a plan made (a start as primary, a rejoin, a clone) has PostgreSQL running, with the
 *       role it then has; on_role_change instead when a stopped or crashed primary comes back as a replica
 *       (Patroni's demotion: on_stop, then on_role_change replica);
 *   <li>on_role_change primary once a promotion has PostgreSQL running as primary (a promotion that did not
 *       happen announces nothing);
 *   <li>on_start when this process first finds PostgreSQL running (Patroni's first cycle after a restart of the
 *       daemon);
 *   <li>on_role_change when PostgreSQL's role changed without a plan of ours (an operator's promotion);
 *   <li>on_reload right after a running replica was re-pointed ({@link Action.Follow} reloads PostgreSQL).
 * </ul>
 * An operation's callback is due once it succeeded, and the operation runs as a background task, so the callback
 * comes in the first cycle that sees the task ended with PostgreSQL running (the task's end wakes the loop at once);
 * until then it is remembered ({@link CallbackMemory#pending()}), and dropped if the task failed. A due callback
 * is put first in the plan: it must not depend on the plan's gates, and it is fire-and-forget.
 *
 * <p>on_restart and on_reload for the operator's restart and reload: the restart task ({@link
 * Action.RestartPostgres}) sets {@code pending} to on_restart (as the starts above set on_start; Patroni announces a
 * restart with on_restart only, not on_stop and on_start), a reinitialize to on_start (a new server), and a reload
 * of a running server ({@link Action.ReloadPostgres}) adds an on_reload right after it (as {@link Action.Follow}
 * does).
 *
 * <p>pre_promote: the promotion's task runs the script first; a refusal fails the task, and the next cycle gives
 * the lock back and keeps this node out of leader races for ttl (Patroni's backoff).
 */
final class CallbackRules {
  private CallbackRules() {}

  static Decision apply(Decision d, Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy,
      long nowNanos) {
    Hooks hooks = policy.node().hooks();
    if (hooks.equals(Hooks.NONE)) {
      return d;
    }
    CallbackMemory mem = local.memory().callbacks();
    PgState pg = local.pg();
    OptionalLong noRace = mem.noRaceBeforeNanos().isPresent() && mem.noRaceBeforeNanos().getAsLong() > nowNanos
        ? mem.noRaceBeforeNanos() : OptionalLong.empty();
    boolean promotes = !pg.isPrimary() && d.actions().stream().anyMatch(a -> a instanceof Action.Promote);
    Optional<String> refused = local.failedTask().filter(f -> Task.ofFailure(f).filter(Task.PROMOTE::equals)
        .isPresent() && Task.errorOf(f).startsWith(Action.PrePromote.REFUSED));
    if (refused.isPresent() && promotes && hooks.prePromote()) {
      // The holder whose pre_promote said no: give the lock back instead of trying again. The server is the replica
      // it was (the task failed before the promote request, and no task runs now), so nothing is left for the
      // watchdog to fence: disarmed after the release, or it would kill this replica at the old lease's deadline.
      java.time.Duration ttl = policy.dynamic().ttl();
      CallbackMemory next = new CallbackMemory(mem.announced(), Optional.empty(), false,
          OptionalLong.of(nowNanos + ttl.toNanos()));
      return new Decision(List.of(new Action.ReleaseLock(), new Action.DisarmWatchdog()),
          DecisionMessage.PRE_PROMOTE_REFUSED_RELEASING.format(Task.errorOf(refused.get()), TimeUnits.seconds(ttl)),
          d.memory().withCallbacks(next), Optional.empty(), true);
    }
    if (noRace.isPresent() && promotes && d.actions().stream().anyMatch(a -> a instanceof Action.AcquireLock)) {
      return new Decision(List.of(), DecisionMessage.PRE_PROMOTE_BACKOFF.format(),
          d.memory().withCallbacks(new CallbackMemory(mem.announced(), mem.pending(), mem.pendingPrimary(), noRace)),
          Optional.empty(), true);
    }

    Optional<String> announced = mem.announced();
    Optional<CallbackAction> pending = mem.pending();
    boolean pendingPrimary = mem.pendingPrimary();
    String role = roleOf(pg, cluster, local, policy);
    List<Action> plan = new ArrayList<>();
    if (local.runningTask().isEmpty() && !pg.isUnknown()) {
      Optional<CallbackAction> due = Optional.empty();
      if (local.failedTask().isPresent()) {
        pending = Optional.empty(); // the operation failed: nothing to announce
      } else if (pg.running()) {
        if (pending.isPresent() && (!pendingPrimary || pg.isPrimary())) {
          due = pending;
        } else if (pending.isEmpty() && announced.isEmpty()) {
          due = Optional.of(CallbackAction.ON_START);
        } else if (pending.isEmpty() && !announced.get().equals(CallbackMemory.DEMOTED)
            && !announced.get().equals(role)) {
          due = Optional.of(CallbackAction.ON_ROLE_CHANGE);
        }
        pending = Optional.empty();
      }
      if (due.isPresent()) {
        announced = Optional.of(role);
        add(plan, hooks, due.get(), role);
      }
    }
    boolean running = pg.running() || pg.pid().isPresent();
    for (Action a : d.actions()) {
      boolean stops = a instanceof Action.Demote || a instanceof Action.StopPostgres;
      if (a instanceof Action.Promote && hooks.prePromote() && !pg.isPrimary()) {
        plan.add(new Action.PrePromote());
      }
      if (stops && running && hooks.beforeStop() && mayWaitBeforeStop(pg, local, nowNanos)) {
        plan.add(new Action.BeforeStop());
      }
      plan.add(a);
      if (stops && running) {
        add(plan, hooks, CallbackAction.ON_STOP, role);
        if (pg.isPrimary()) {
          announced = Optional.of(CallbackMemory.DEMOTED);
        }
        pending = Optional.empty();
        running = false;
      }
      if ((a instanceof Action.Follow || a instanceof Action.CatchUpFrom || a instanceof Action.ReloadPostgres)
          && pg.running()) {
        // A reload, or a re-pointing by one (primary_conninfo; Patroni's follow reloads): announced as on_reload.
        add(plan, hooks, CallbackAction.ON_RELOAD, role);
      }
      if (a instanceof Action.RestartPostgres) {
        pending = Optional.of(CallbackAction.ON_RESTART);
        pendingPrimary = false;
      } else if (a instanceof Action.Reinitialize) {
        pending = Optional.of(CallbackAction.ON_START);
        pendingPrimary = false;
      } else if (a instanceof Action.Promote && !pg.isPrimary()) {
        pending = Optional.of(CallbackAction.ON_ROLE_CHANGE);
        pendingPrimary = true;
      } else if (a instanceof Action.StartPrimary || a instanceof Action.Rejoin
          || a instanceof Action.CloneReplica) {
        boolean wasPrimary = announced.map(r -> r.equals(CallbackMemory.PRIMARY)
            || r.equals(CallbackMemory.DEMOTED)).orElse(false);
        pending = Optional.of(wasPrimary && !(a instanceof Action.StartPrimary) ? CallbackAction.ON_ROLE_CHANGE
            : CallbackAction.ON_START);
        pendingPrimary = false;
      }
    }
    CallbackMemory next = new CallbackMemory(announced, pending, pendingPrimary, noRace);
    return d.withActions(plan).withMemory(d.memory().withCallbacks(next));
  }

  private static void add(List<Action> plan, Hooks hooks, CallbackAction action, String role) {
    if (hooks.callbacks().contains(action)) {
      plan.add(new Action.RunCallback(action, role));
    }
  }

  /**
   * Whether the plan may wait for before_stop before stopping PostgreSQL. A replica: always. A primary: only while
   * this node holds a lease that is valid now. Why that keeps the safety rule: the step runs before the stop and
   * before the step that forgets the lease ({@link Action.Demote} clears it only once it runs), so while the script
   * runs the lease guard and the watchdog still fence at the deadline, however long it takes. A primary without a
   * valid lease (the lock was lost or ran out) is stopped at once, without the script: it must not stay writable
   * for it.
   */
  private static boolean mayWaitBeforeStop(PgState pg, LocalState local, long nowNanos) {
    return !pg.isPrimary()
        || (local.leaseDeadlineNanos().isPresent() && local.leaseDeadlineNanos().getAsLong() > nowNanos);
  }

  /** The role a callback announces for PostgreSQL as probed: Patroni's primary, replica or standby_leader. */
  private static String roleOf(PgState pg, Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy) {
    if (pg.isPrimary()) {
      return CallbackMemory.PRIMARY;
    }
    boolean holder = cluster.map(c -> c.isLeader(policy.name())).orElse(local.leaseDeadlineNanos().isPresent());
    return holder && policy.dynamic().standbyCluster().isPresent() ? CallbackMemory.STANDBY_LEADER
        : CallbackMemory.REPLICA;
  }
}
