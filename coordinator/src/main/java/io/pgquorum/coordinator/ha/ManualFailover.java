package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Failover;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.StopMode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules for a requested switchover or failover (the {@code failover} key, Patroni's semantics), pure like the
 * {@link Decider} that calls them: the leader's side (wait for a scheduled time, clean up what cannot be done,
 * hand the lock over gracefully) and the racers' side (only the named candidate takes the free lock while it is
 * healthy).
 *
 * <p>The graceful handover, and the ordering that keeps one writable primary: the holder refreshes its lock (the
 * plan's gate), checkpoints, stops PostgreSQL (fast: clients are disconnected, the shutdown checkpoint is written
 * and, since PostgreSQL's walsenders send everything up to it before they exit, streamed to the connected
 * replicas), publishes where it stopped, and only then releases the lock. A candidate can take the lock only after
 * that release (the key is created if absent), so by then the old primary is no longer running; the new lock has a
 * new fencing token, so the two primaries never share one. A stop that hangs is cut short by the lease guard at
 * the lease deadline (the lock is still held and guarded during the stop), never by releasing first. The candidate
 * promotes as soon as it holds the lock: the lock was released, not left to expire, so nothing waits for a lease.
 */
final class ManualFailover {
  private ManualFailover() {}

  /** Whether the holder needs peer views this cycle: a request waits in the key and it is primary or down. */
  static boolean holderAsksPeers(ClusterSnapshot c, PgState pg) {
    return c.failover().isPresent() && (pg.isPrimary() || (!pg.running() && pg.pid().isEmpty()));
  }

  /**
   * Whether a stopped non-holder needs peer views: the cluster is unlocked, a request waits in the key and this node
   * is not its candidate, and PostgreSQL is down here with nothing running (typically the old leader just after its
   * graceful handover). It waits for a fit candidate to take the lock rather than start without an upstream
   * ({@link #whyStandBack}), so it must see whether the candidate is fit.
   */
  static boolean stoppedAsksPeers(ClusterSnapshot c, LocalState local, String me) {
    PgState pg = local.pg();
    return c.isUnlocked() && c.failover().filter(f -> !f.names(me)).isPresent()
        && c.initialize().map(i -> !i.bootstrapInProgress()).orElse(false)
        && pg.dataDir() == PgState.DataDirState.INITIALIZED
        && !pg.running() && pg.pid().isEmpty() && !pg.isUnknown() && local.runningTask().isEmpty();
  }

  /** {@code switchover} or {@code failover}, Patroni's word for the request in its log lines. */
  private static String kind(Failover f) {
    return (f.isSwitchover() ? DecisionMessage.KIND_SWITCHOVER : DecisionMessage.KIND_FAILOVER).format();
  }

  /**
   * The holder's cycle while its PostgreSQL runs as primary. {@code leading} is what the holder would do without
   * a request (refresh, publish, ...); the result is it, amended, or the graceful handover.
   */
  static Decision atLeader(ClusterSnapshot c, PgState pg, HaPolicy policy, Map<String, PeerView> peers,
      Instant wallNow, Decision leading) {
    if (c.failover().isEmpty()) {
      return leading;
    }
    Optional<Decision> paused = PausedHandover.atLeader(c, policy, leading);
    if (paused.isPresent()) {
      return paused.get();
    }
    Failover f = c.failover().get();
    String me = policy.name();
    String kind = kind(f);
    if (f.scheduledAt().isPresent()) {
      Optional<Instant> at = instant(f.scheduledAt().get());
      if (at.isEmpty()) {
        return clearing(leading, f, DecisionMessage.SCHEDULE_UNREADABLE.format(f.scheduledAt().get()));
      }
      long inMillis = Duration.between(wallNow, at.get()).toMillis();
      long loopWaitMillis = policy.dynamic().loopWait().toMillis();
      if (inMillis > 0) {
        // Patroni sleeps until the instant when it is less than loop_wait away; a pure decision cannot, so the
        // request waits for the first cycle at or after its time (at most one loop_wait late).
        return new Decision(leading.actions(), DecisionMessage.SWITCHOVER_AWAITING.format(kind,
            f.scheduledAt().get(), (inMillis + 999) / 1000), leading.memory(), leading.ifGateFails(), leading.logged());
      }
      if (-inMillis > loopWaitMillis * 3 / 2) {
        // Missed by more than 1.5 loop_wait (the leader was down or changed at the time): doing it now would
        // surprise whoever scheduled it for a quiet moment.
        return clearing(leading, f, DecisionMessage.SWITCHOVER_STALE.format(kind, f.scheduledAt().get()));
      }
    }
    if (f.leader().isPresent() && !f.leader().get().equals(me)) {
      return clearing(leading, f, DecisionMessage.MANUAL_LEADER_MISMATCH.format(kind, f.leader().get(), me));
    }
    if (f.names(me)) {
      return clearing(leading, f, DecisionMessage.MANUAL_ALREADY_LEADER.format(kind, kind));
    }
    List<String> why = new ArrayList<>();
    Optional<String> target = eligible(c, pg, policy, peers, f, why);
    if (target.isEmpty()) {
      return clearing(leading, f, DecisionMessage.MANUAL_NOT_POSSIBLE.format(kind, kind,
          why.isEmpty() ? DecisionMessage.MANUAL_NO_MEMBERS.format() : why.get(0)));
    }
    // The order is the safety argument of the class comment: the refresh gate first (a lost lock ends the plan
    // before anything stops), then checkpoint, stop, (last position,) and the release strictly after the stop.
    // The key stays: the candidate clears it once it holds the lock, and the API node polls for that.
    List<Action> plan = new ArrayList<>();
    plan.add(leading.actions().get(0));
    plan.addAll(historyBeforeHandover(c, pg));
    plan.add(new Action.Checkpoint());
    plan.add(new Action.StopPostgres(StopMode.FAST));
    // Where it stopped goes into status (Patroni's last_lsn) only when no candidate is named. Its one reader is the
    // healthiest-node test's maximum_lag_on_failover part, which a named candidate skips, and every other member
    // stands back while the candidate is fit (whyStandBack); a member that races anyway (the candidate did not answer
    // it, or answered unfit) compares against the position of this primary's last cycle, as every racer does after a
    // crash: the bound keeps the one-loop_wait slack it has in any failover. Why leave the write out: published
    // before the release it is a Raft write on the write gap's critical path, and after the release it competes with
    // the candidate's acquire for the same log's fsyncs (bench/results/switchover-2026-12-06: pooled medians of the
    // write gap 0.578 s before the release, 0.522-0.547 s after it, 0.499 s without it). Without a named candidate
    // all fit members race at once, so it must be there before the release. Conditional on the snapshot's status
    // revision: a stop that outlasted the lease must not replace a newer primary's status.
    if (f.member().isEmpty()) {
      plan.add(new Action.PublishLastPosition(pg.timeline(), c.statusRevision()));
    }
    plan.addAll(FailsafeRules.beforeHandover(Optional.of(c)));
    plan.add(new Action.ReleaseLock());
    return new Decision(plan, DecisionMessage.MANUAL_DEMOTING.format(kind, target.get()));
  }

  /**
   * The holder's cycle while its PostgreSQL is down (not running, no postmaster) and a failover names a healthy
   * candidate: rather than start PostgreSQL as primary again, give the lock to the candidate (Patroni's failover
   * with an unhealthy leader). Nothing runs, so releasing cannot leave two primaries. Empty: no such request.
   */
  static Optional<Decision> holderDown(ClusterSnapshot c, PgState pg, HaPolicy policy, Map<String, PeerView> peers) {
    Optional<Failover> f = c.failover().filter(x -> x.member().isPresent() && x.scheduledAt().isEmpty());
    if (f.isEmpty() || pg.running() || pg.pid().isPresent() || f.get().names(policy.name())) {
      return Optional.empty();
    }
    PeerView p = peers.get(f.get().member().get());
    if (p == null || whyNotFit(c, p, Optional.empty(), policy).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(Decision.of(DecisionMessage.MANUAL_RELEASING_DOWN.format(kind(f.get()),
        f.get().member().get()), new Action.ReleaseLock()));
  }

  /** When the holder hands over: the racers must see its timeline in history (as at any voluntary release). */
  private static List<Action> historyBeforeHandover(ClusterSnapshot c, PgState pg) {
    if (pg.timeline() > 1 && !c.historyRecordsEndOf(pg.timeline() - 1L)) {
      return List.of(new Action.RecordHistory(pg.timeline()));
    }
    return List.of();
  }

  /** The leader's usual cycle, plus clearing the request, with {@code message}. */
  private static Decision clearing(Decision leading, Failover f, String message) {
    List<Action> actions = new ArrayList<>(leading.actions());
    actions.add(new Action.ClearFailover(f.modRevision()));
    return new Decision(actions, message, leading.memory(), leading.ifGateFails(), leading.logged());
  }

  /**
   * The member the holder hands over to: the named candidate, or (none named) the first fit peer by name. Fit:
   * answered, runs as a replica on this primary's timeline, may fail over, and is within
   * {@code maximum_lag_on_failover} of this primary's current position (Patroni checks lag here, on the leader;
   * what is left streams to it during the fast stop). {@code why} collects why each one is not (the message shows
   * the first: the candidate's, or the first member's by name). In synchronous mode also promotable once this
   * primary has stopped ({@link SyncDuty#whyNoHandover}): handing over to a member the sync rules then refuse
   * would leave the cluster without a primary.
   */
  private static Optional<String> eligible(ClusterSnapshot c, PgState pg, HaPolicy policy,
      Map<String, PeerView> peers, Failover f, List<String> why) {
    for (PeerView p : peers.values()) {
      if (p.name().equals(policy.name()) || (f.member().isPresent() && !f.names(p.name()))) {
        continue;
      }
      Optional<String> not = whyNotFit(c, p, Optional.of(pg), policy)
          .or(() -> SyncDuty.whyNoHandover(c, pg, policy, p, peers));
      if (not.isEmpty()) {
        return Optional.of(p.name());
      }
      why.add(not.get());
    }
    if (f.member().isPresent() && !peers.containsKey(f.member().get())) {
      why.add(DecisionMessage.MANUAL_CANDIDATE_UNKNOWN.format(f.member().get()));
    }
    return Optional.empty();
  }

  /** Why a peer cannot take over (empty: it can); with {@code primary}, also its lag and timeline against it. */
  private static Optional<String> whyNotFit(ClusterSnapshot c, PeerView p, Optional<PgState> primary,
      HaPolicy policy) {
    if (!p.reachable()) {
      return Optional.of(DecisionMessage.MANUAL_MEMBER_UNREACHABLE.format(p.name()));
    }
    if (p.nofailover() || p.failoverPriority() <= 0) {
      return Optional.of(DecisionMessage.MANUAL_MEMBER_NOT_ALLOWED.format(p.name()));
    }
    if (!p.running() || !p.role().map("replica"::equals).orElse(false) || p.walPosition().isEmpty()) {
      return Optional.of(DecisionMessage.MANUAL_MEMBER_NOT_RUNNING.format(p.name()));
    }
    Optional<String> fork = io.pgquorum.coordinator.cluster.LeaderTimeline.otherEpoch(c, p.timeline(),
        p.timelineEpoch());
    if (fork.isPresent()) {
      return Optional.of(DecisionMessage.MANUAL_MEMBER_OTHER_FORK.format(p.name(), fork.get()));
    }
    if (primary.isPresent()) {
      PgState pg = primary.get();
      if (p.timeline() > 0 && pg.timeline() > 0 && p.timeline() != pg.timeline()) {
        return Optional.of(DecisionMessage.MANUAL_MEMBER_OTHER_TIMELINE.format(p.name(), p.timeline(),
            pg.timeline()));
      }
      // The same timeline number from another promotion (docs/findings/same-timeline-forks.md): the candidate
      // lacks this primary's records past the fork, however close its position looks.
      if (p.timeline() == pg.timeline() && p.timelineEpoch().isPresent() && pg.timelineEpoch().isPresent()
          && p.timelineEpoch().getAsLong() != pg.timelineEpoch().getAsLong()) {
        return Optional.of(DecisionMessage.MANUAL_MEMBER_OTHER_EPOCH.format(p.name(), p.timeline(),
            p.timelineEpoch().getAsLong(), pg.timelineEpoch().getAsLong()));
      }
      long lag = pg.walPosition() - p.walPosition().getAsLong();
      if (lag > policy.dynamic().maximumLagOnFailover()) {
        return Optional.of(DecisionMessage.MANUAL_MEMBER_LAGGING.format(p.name(), lag,
            policy.dynamic().maximumLagOnFailover()));
      }
    }
    return Optional.empty();
  }

  /**
   * The racers' side, the lock free and a request in the key (a scheduled one too: the leader released the lock
   * because it came due, or the leader is gone and the request still says whom the operator wants). Empty: race
   * as usual (no request, or its candidate cannot take over: then everyone races, Patroni's rule). Otherwise why
   * this node stands back: the named candidate is fit and it is not this node, or (no candidate named) this node
   * is the leader the switchover moves away from and another member is fit. The candidate itself gets
   * {@link #isCandidate}.
   */
  static Optional<String> whyStandBack(ClusterSnapshot c, HaPolicy policy, Map<String, PeerView> peers) {
    if (c.failover().isEmpty()) {
      return Optional.empty();
    }
    Failover f = c.failover().get();
    String me = policy.name();
    if (f.member().isPresent()) {
      String candidate = f.member().get();
      PeerView p = peers.get(candidate);
      if (f.names(me) || p == null || whyNotFit(c, p, Optional.empty(), policy).isPresent()) {
        return Optional.empty();
      }
      return Optional.of(DecisionMessage.MANUAL_CANDIDATE_HEALTHY.format(candidate, kind(f)));
    }
    if (f.leader().map(me::equals).orElse(false)) {
      for (PeerView p : peers.values()) {
        if (!p.name().equals(me) && whyNotFit(c, p, Optional.empty(), policy).isEmpty()) {
          return Optional.of(DecisionMessage.MANUAL_FORMER_LEADER.format(kind(f), p.name()));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Whether this node is the named candidate of a request (a scheduled one only frees the lock once due): it takes
   * the free lock without the healthiest-node comparison (Patroni: no lag or timeline check; the leader checked
   * the lag before it let go).
   */
  static boolean isCandidate(ClusterSnapshot c, String me) {
    return c.failover().filter(f -> f.names(me)).isPresent();
  }

  /**
   * Whether this node is the named candidate of a switchover (a request that names the leader it moves away from):
   * it then races without asking its peers, as Patroni's candidate takes the free lock with no check at all.
   *
   * <p>Why not ask: asking is a round trip to every member, and the slowest answer comes from the old primary,
   * busy restarting as a replica at that very moment; measured here it was a third of a switchover's write gap.
   * The one check the answers fed ({@link #primaryPeer}) adds nothing to the safety argument of this class: the
   * leader named in the request releases the lock only after its PostgreSQL stopped, and a leader that lost the
   * lock otherwise (its lease ran out) was fenced by its lease guard before the lock could expire in the DCS. A
   * failover request (no leader named) keeps the check: its leader is gone in some unknown way.
   */
  static boolean switchoverCandidate(ClusterSnapshot c, String me) {
    return c.failover().filter(f -> f.names(me) && f.leader().isPresent()).isPresent();
  }

  /** What holds the named candidate back: nothing for a switchover's, a running primary peer for a failover's. */
  static Optional<String> whyCandidateWaits(ClusterSnapshot c, Map<String, PeerView> peers, String me) {
    return switchoverCandidate(c, me) ? Optional.empty() : primaryPeer(peers, me);
  }

  /**
   * The one healthiest-node check a failover's candidate keeps: no peer still answers as a running primary (only a
   * primary whose lock was lost otherwise than by a graceful handover could still be running).
   */
  static Optional<String> primaryPeer(Map<String, PeerView> peers, String me) {
    for (PeerView p : peers.values()) {
      if (!p.name().equals(me) && p.reachable() && p.running() && p.role().map("primary"::equals).orElse(false)) {
        return Optional.of(DecisionMessage.PEER_IS_PRIMARY.format(p.name()));
      }
    }
    return Optional.empty();
  }

  /**
   * After the winner's acquire gate: clear the request. Only after the acquire, so that no reader (the API node
   * polling for the outcome) sees the key gone while the lock is still free: a snapshot without the key then shows
   * the new leader. A scheduled request is cleared too: it is why the lock is free (it came due), or it named a
   * leader that is gone.
   */
  static List<Action> clearAfterAcquire(ClusterSnapshot c) {
    return c.failover().map(f -> List.<Action>of(new Action.ClearFailover(f.modRevision()))).orElse(List.of());
  }

  /** An ISO-8601 time with an offset, as the REST API stores it; empty when it is not one. */
  static Optional<Instant> instant(String text) {
    try {
      return Optional.of(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
