package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Failover;
import io.pgquorum.coordinator.postgres.PgState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A switchover or failover while paused (Patroni's, 4.1): allowed only unscheduled and to a named candidate. The
 * steps are the unpaused ones of {@link ManualFailover}, which {@link PauseRules} lets through instead of cutting
 * them: the holder hands over gracefully (checkpoint, fast stop, last position, release strictly after the stop),
 * the named candidate alone takes the free lock and promotes, and the old primary, once another member holds the
 * lock, is started again as its replica (Patroni's graceful demote follows the new leader at once, paused or not;
 * it is the one stopped server a paused loop starts). The other replicas are re-pointed by reload, as every
 * running replica is while paused ({@link PauseRules}): PostgreSQL 13+ reads primary_conninfo on reload, so
 * nothing is stopped or started on them, as in Patroni. Should the candidate disappear (its member key gone) before it
 * takes the lock, the old primary starts read-only without an upstream, as Patroni's graceful demote has by then,
 * so that a new request can name it instead of the cluster waiting for resume.
 *
 * <p>Safety is the unpaused handover's (see {@link ManualFailover}): the lock is released only after the old
 * primary stopped, the candidate promotes only after it took the lock (with a new fencing token and lease), and
 * the old primary starts in recovery, never writable.
 *
 * <p>Deliberate difference: Patroni's winner rewrites the key to {@code {member: candidate}} while paused, so
 * that, holding the lock while its promotion is still running, it does not give the lock up as "not running as
 * primary". Here the winner clears the key as when unpaused: the promotion is a task, and {@link PauseRules} never
 * releases the lock of a holder whose task still runs; the REST caller's poll then sees the new leader at once.
 */
final class PausedHandover {
  private PausedHandover() {}

  /**
   * The holder's side, before {@link ManualFailover}'s usual rules: what a paused cluster does instead with a
   * request it does not carry out. Empty: not paused, no request, or one the usual rules handle (unscheduled, to
   * a named candidate).
   */
  static Optional<Decision> atLeader(ClusterSnapshot c, HaPolicy policy, Decision leading) {
    if (!policy.dynamic().paused() || c.failover().isEmpty()) {
      return Optional.empty();
    }
    Failover f = c.failover().get();
    if (f.scheduledAt().isPresent()) {
      // Patroni runs no scheduled action while paused; the key stays for after resume (the REST API refuses to
      // write one while paused, so this one predates the pause). A key that has gone stale by then is cleaned up.
      return Optional.of(new Decision(leading.actions(), DecisionMessage.PAUSE_SCHEDULED_WAITS.format(kind(f),
          f.scheduledAt().get()), leading.memory(), leading.ifGateFails(), leading.logged()));
    }
    if (f.member().isEmpty()) {
      // Patroni warns and cleans up: whom to hand over to is the operator's choice while paused.
      List<Action> actions = new ArrayList<>(leading.actions());
      actions.add(new Action.ClearFailover(f.modRevision()));
      return Optional.of(new Decision(actions, DecisionMessage.PAUSE_NEEDS_CANDIDATE.format(kind(f)),
          leading.memory(), leading.ifGateFails(), leading.logged()));
    }
    return Optional.empty();
  }

  /**
   * {@code d}, the usual plan, when it is a step of a paused handover that the paused cluster runs whole; empty
   * otherwise. {@code holder}: this node holds the lock. The result remembers whether this node stopped its own
   * primary for the handover ({@link HaMemory#handedOver()}).
   */
  static Optional<Decision> step(Decision d, ClusterSnapshot c, LocalState local, HaPolicy policy, boolean holder) {
    PgState pg = local.pg();
    String me = policy.name();
    Optional<Failover> request = c.failover().filter(f -> f.member().isPresent() && f.scheduledAt().isEmpty());
    if (holder && pg.isPrimary() && request.isPresent() && has(d, Action.StopPostgres.class)
        && has(d, Action.ReleaseLock.class)) {
      // ManualFailover's graceful handover to the named candidate (its only plan that stops a running primary).
      return Optional.of(paused(d, DecisionMessage.PAUSED.format(d.message()), true));
    }
    if (!holder && c.isUnlocked() && request.filter(f -> f.names(me)).isPresent() && pg.isReplica()
        && has(d, Action.AcquireLock.class) && has(d, Action.Promote.class)) {
      // The named candidate: in Patroni's paused race it alone may take the lock, with no health comparison.
      return Optional.of(paused(d, DecisionMessage.PAUSED.format(d.message()), false));
    }
    boolean stoppedHere = !pg.running() && pg.pid().isEmpty() && !pg.isUnknown();
    if (local.memory().handedOver() && !holder && stoppedHere && c.leader().isPresent()
        && has(d, Action.Rejoin.class)) {
      // Only once another member holds the lock: the rejoin then checks for divergence against it (and rewinds if
      // need be), where a read-only start with no upstream could leave a replica the paused loop may not stop.
      return Optional.of(paused(d, DecisionMessage.PAUSE_REJOINING_AFTER_HANDOVER.format(d.message()), true));
    }
    Optional<String> gone = c.failover().flatMap(Failover::member).filter(m -> c.member(m).isEmpty());
    if (local.memory().handedOver() && !holder && stoppedHere && c.isUnlocked() && gone.isPresent()
        && has(d, Action.Rejoin.class)) {
      // The candidate this node handed over to is gone (its member key expired) before it took the lock: while
      // paused nobody else races, so waiting for a leader would keep this node down until resume. Patroni's
      // graceful demote has started the old primary by now anyway (following nobody, two seconds after the
      // release), so a new request can name it; the same here: the usual plan's read-only start, without an
      // upstream (nothing to follow; never writable). Should another member take the lock later, this replica
      // keeps running without an upstream until resume (a paused loop stops nothing), read-only as before.
      return Optional.of(paused(d, DecisionMessage.PAUSE_STARTING_CANDIDATE_GONE.format(d.message(), gone.get()),
          true));
    }
    return Optional.empty();
  }

  /**
   * Whether the memory of a handover carries over to the next cycle: while the rejoin runs, and while PostgreSQL
   * stays stopped (a failed rejoin is retried, with the usual back-off); not once it runs again outside a task (or
   * cannot be told), nor once this node holds the lock again.
   */
  static boolean stillHandedOver(LocalState local, boolean holder) {
    PgState pg = local.pg();
    boolean stopped = !pg.running() && pg.pid().isEmpty() && !pg.isUnknown();
    return local.memory().handedOver() && !holder && (local.runningTask().isPresent() || stopped);
  }

  private static Decision paused(Decision d, String message, boolean handedOver) {
    Optional<String> ifGateFails = d.ifGateFails().map(DecisionMessage.PAUSED::format);
    return new Decision(d.actions(), message, d.memory().withHandedOver(handedOver), ifGateFails, d.logged());
  }

  private static boolean has(Decision d, Class<? extends Action> type) {
    return d.actions().stream().anyMatch(type::isInstance);
  }

  private static String kind(Failover f) {
    return (f.isSwitchover() ? DecisionMessage.KIND_SWITCHOVER : DecisionMessage.KIND_FAILOVER).format();
  }
}
