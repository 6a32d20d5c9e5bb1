package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Maintenance mode ({@code pause: true} in the dynamic configuration, Patroni's): the cycle's plan, made by the
 * usual rules, is cut down to what a paused cluster still does. The nodes keep the lock (the holder keeps
 * refreshing it) and their member keys, but never start, stop, promote or demote PostgreSQL on their own, never
 * bootstrap or clone, and no replica takes a free lock: the operator works on PostgreSQL by hand. As in Patroni, a
 * running replica is still re-pointed at the leader by a reload, and a switchover or failover to a named candidate
 * is carried out ({@link PausedHandover}). Every message then starts with Patroni's {@code PAUSE: }, and says what
 * the node would have done without the pause.
 *
 * <p>As in Patroni: the holder whose PostgreSQL is not running as primary (stopped, or demoted by hand) releases
 * the lock instead of starting or promoting it; in a cluster without a leader a running primary still takes the
 * lock (a gate, so it stays a primary only under a lease), and nothing else does.
 *
 * <p>Deviations from Patroni, for the safety rule (PostgreSQL never runs writable without a valid lease):
 * <ul>
 *   <li>A primary that does not hold the lock is still demoted ({@link DecisionMessage#PAUSE_STILL_DEMOTING}):
 *       Patroni only warns about a second primary while paused, which would leave it writable with no lease.
 *   <li>These rules never apply when the DCS cannot be read, nor on shutdown: the lease-based rules of
 *       {@link Decider} (ride out a blip on a valid lease, stop once it ran out) and {@link LeaseGuard}, which
 *       fences at the lease deadline whatever this loop does, stay in force while paused. Patroni keeps a paused
 *       primary running through a DCS outage and past its daemon's exit, when no lease covers it any more.
 * </ul>
 * A holder whose PostgreSQL cannot be probed, or is starting, keeps refreshing the lock and is not fenced by the
 * unprobeable rule while paused: its lease stays valid, so a server that turns out to be a primary has one.
 */
final class PauseRules {
  private PauseRules() {}

  /** {@code d}, the usual plan for this cycle, as a paused cluster runs it; {@code d} itself when not paused. */
  static Decision apply(Decision d, Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy) {
    if (cluster.isEmpty() || local.shutdownRequested() || !policy.dynamic().paused()) {
      return d;
    }
    ClusterSnapshot c = cluster.get();
    PgState pg = local.pg();
    boolean holder = c.isLeader(policy.name());
    boolean standbyCluster = policy.dynamic().standbyCluster().isPresent();
    if (holder && local.runningTask().isEmpty() && pg.dataDir() == DataDirState.INITIALIZED
        && !pg.isPrimary() && !(standbyCluster && pg.running())) {
      if (pg.isUnknown() || (!pg.running() && pg.pid().isPresent())) {
        String why = pg.unknown().orElseGet(DecisionMessage.PAUSE_STARTING_UP::format);
        return replaced(d, DecisionMessage.PAUSE_HOLDER_WAITING.format(policy.name(), why),
            List.of(Decider.keepLock(c, policy)));
      }
      DecisionMessage release = pg.running() ? DecisionMessage.PAUSE_RELEASING_NOT_PRIMARY
          : DecisionMessage.PAUSE_RELEASING_NOT_RUNNING;
      return replaced(d, release.format(), List.of(new Action.ReleaseLock()));
    }
    Optional<Decision> handover = PausedHandover.step(d, c, local, policy, holder);
    if (handover.isPresent()) {
      return handover.get();
    }
    // A server that may be a primary (or whose role cannot be told) without the lock: the demote stays.
    boolean mayBePrimary = pg.isPrimary() || pg.isUnknown();
    List<Action> kept = new ArrayList<>();
    boolean dropped = false;
    boolean safetyDemote = false;
    boolean stopDropped = false;
    boolean acquireDropped = false;
    // Re-pointing a running replica at the leader (or its replicatefrom member) is kept: Patroni's paused follow()
    // rewrites primary_conninfo and reloads (PostgreSQL 13+ needs no restart for it), so after a paused switchover
    // the other replicas stream from the new primary; nothing is stopped or started. Not without a leader: a
    // standby leader's Follow comes with the lock, which a paused replica does not take.
    boolean mayRepoint = !holder && c.leader().isPresent();
    for (Action a : d.actions()) {
      if (a instanceof Action.Demote && !holder && mayBePrimary) {
        safetyDemote = true;
        kept.add(a);
      } else if (suppressed(a, pg, mayRepoint)) {
        dropped = true;
        stopDropped |= a instanceof Action.Demote || a instanceof Action.StopPostgres;
        acquireDropped |= a instanceof Action.AcquireLock;
        kept.add(null);
      } else {
        kept.add(a);
      }
    }
    List<Action> plan = new ArrayList<>();
    for (Action a : kept) {
      // A holder's release after a stop that is not done would leave a primary running without the lock. A
      // winner's clearing of the failover key belongs to the acquire it follows: without the acquire, a request
      // (one scheduled before the pause, say) would be deleted by a node that takes nothing over.
      // Likewise the sync key claimed (and strict mode's setting) before a promotion: without the acquire, a
      // paused replica would rewrite the key of a primary it does not replace.
      if (a != null && !(holder && stopDropped && a instanceof Action.ReleaseLock)
          && !(acquireDropped && (a instanceof Action.ClearFailover || a instanceof Action.ClaimSync
              || a instanceof Action.SetSynchronousStandbyNames))) {
        plan.add(a);
      }
    }
    if (holder && plan.stream().noneMatch(a -> a instanceof Action.RefreshLock || a instanceof Action.RearmLock
        || a instanceof Action.ReleaseLock)) {
      // The holder keeps its lease: without it LeaseGuard would fence the primary the pause is meant to keep.
      plan.add(0, Decider.keepLock(c, policy));
    }
    String message = safetyDemote ? DecisionMessage.PAUSE_STILL_DEMOTING.format(d.message())
        : dropped ? DecisionMessage.PAUSE_NOT_ACTING.format(d.message())
        : DecisionMessage.PAUSED.format(d.message());
    // Only while a gate is left to fail (a replica's dropped acquire leaves none).
    Optional<String> ifGateFails = d.ifGateFails().filter(m -> plan.stream().anyMatch(a -> a instanceof Action.Gate))
        .map(DecisionMessage.PAUSED::format);
    HaMemory memory = d.memory().withHandedOver(PausedHandover.stillHandedOver(local, holder));
    return new Decision(plan, message, memory, ifGateFails, d.logged());
  }

  /**
   * Steps a paused cluster does not take: any change to PostgreSQL (start, stop, promote, demote; re-point unless
   * {@code mayRepoint}), a bootstrap or clone, the bootstrap race, moving a data directory aside, and taking the
   * lock for a server that is not already a running primary (it would be promoted next), and a restore's steps
   * (a paused cluster's restore waits for the end of the pause). A running primary that
   * takes a free lock keeps its token step ({@link Action.Promote} of a primary only sets the new lock's token).
   */
  private static boolean suppressed(Action a, PgState pg, boolean mayRepoint) {
    if (a instanceof Action.Follow) {
      return !mayRepoint;
    }
    if (a instanceof Action.Promote || a instanceof Action.AcquireLock) {
      return !pg.isPrimary();
    }
    // The setting a start as primary writes goes with the start (a task, dropped): kept alone, the next write of
    // the configuration would carry it into a server nobody started.
    return a instanceof Action.ChangesPostgres || a instanceof Action.TaskAction
        || a instanceof Action.StartWithStandbyNames || a instanceof Action.RaceInitialize
        || a instanceof Action.MoveDataDirectoryAside
        || a instanceof Action.MoveAsideForRestore || a instanceof Action.MarkRestoreReady
        || a instanceof Action.ResetForRestore;
  }

  private static Decision replaced(Decision d, String message, List<Action> plan) {
    return new Decision(plan, message, d.memory(), Optional.empty(), d.logged());
  }
}
