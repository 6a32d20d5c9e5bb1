package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.LeaderTimeline;
import io.pgquorum.coordinator.config.TimeUnits;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.Upstream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 14, catch-up before promotion (pg_auto_failover's idea; Patroni promotes at once). The node that takes the
 * leader lock is not always the replica with the most WAL: the most advanced one may be tagged {@code nofailover} or
 * have a lower {@code failover_priority}, synchronous mode may allow only the sync standby, or an operator named the
 * candidate. Promoting it at once cuts the cluster's line of history at its position, and the WAL only the other
 * replica received (acknowledged by the dead primary) is gone for good: that replica is rewound or re-cloned next.
 *
 * <p>So the winner, once it holds the lock (nobody else may promote; its PostgreSQL stays a read-only standby, so the
 * safety rule "never writable without a valid lease" is untouched), first streams the missing WAL from that peer,
 * then promotes. The loop keeps cycling and refreshing the lock meanwhile: a catch-up is a re-pointing of the
 * standby ({@link Action.CatchUpFrom}) and then cycles that only wait, never a long step.
 *
 * <p>The source is any reachable, running replica on this node's timeline (and fork of it) whose WAL position
 * (received or replayed, as its REST API reports) is beyond this node's; its {@code nofailover} tag or priority do
 * not matter: it only serves WAL. A peer on another timeline is skipped: its WAL past the switch is not on this
 * node's line of history, and streaming it would make this node follow a history it must not adopt.
 *
 * <p>Caught up means this node's own WAL position (the greater of received and replayed) reaches the source's. Why
 * not its replay position: a promotion replays every WAL record already received and flushed before it ends
 * recovery, so waiting for the replay as well would delay the promotion and keep nothing more.
 *
 * <p>The bound ({@link #bound}) keeps a failed catch-up (the peer cannot stream to us: pg_hba, its WAL already
 * recycled) from blocking the failover: once it has passed, or when the source stops answering or leaves this
 * node's timeline, the node promotes with what it has and says how much WAL may be lost.
 */
final class CatchUp {
  private CatchUp() {}

  /**
   * A catch-up in progress, remembered from cycle to cycle ({@link HaMemory#catchUp()}).
   *
   * @param source the peer streamed from
   * @param target that peer's WAL position when last seen
   * @param sinceNanos when (on the loop's nano clock) the catch-up began: the bound counts from there
   */
  public record Progress(String source, long target, long sinceNanos) {}

  /**
   * How long a catch-up may hold the promotion back: the smaller of {@code ttl} and {@code primary_start_timeout}.
   * Why {@code primary_start_timeout}: it is the operator's own trade between availability and WAL that only one
   * node has (how long a crashed primary may recover before a failover loses its unreplicated WAL); 0 says "fail
   * over at once, accept the loss", so no catch-up at all. Why at most {@code ttl}: the WAL to fetch is what one
   * replica received beyond another, normally well under {@code maximum_lag_on_failover} and a second of streaming;
   * a catch-up still not done after as long as the failure detection itself took is not going to finish (a
   * walreceiver that cannot connect retries every {@code wal_retrieve_retry_interval}, 5 s by default, well within
   * the default ttl of 30 s), and the cluster has been without a primary for twice the ttl by then.
   */
  static java.time.Duration bound(HaPolicy policy) {
    return TimeUnits.min(policy.dynamic().ttl(), java.time.Duration.ofSeconds(policy.dynamic().primaryStartTimeout()));
  }

  /** A peer to catch up from: its view and where it streams from. */
  record Source(PeerView peer, Upstream upstream) {
    long position() {
      return peer.walPosition().orElseThrow();
    }
  }

  /**
   * The most advanced peer beyond this node's WAL position on its timeline, if any (none when the bound is 0): a
   * reachable, running replica with an address, on this node's timeline and fork.
   */
  static Optional<Source> source(ClusterSnapshot c, PgState pg, HaPolicy policy, Map<String, PeerView> peers) {
    if (bound(policy).isZero() || pg.timeline() <= 0) {
      return Optional.empty();
    }
    List<Source> found = new ArrayList<>();
    for (PeerView p : peers.values()) {
      if (p.name().equals(policy.name()) || !p.reachable() || !p.running()
          || !p.role().map("replica"::equals).orElse(false) || p.timeline() != pg.timeline()
          || p.walPosition().orElse(-1) <= pg.walPosition()) {
        continue;
      }
      boolean otherFork = LeaderTimeline.otherEpoch(c, p.timeline(), p.timelineEpoch()).isPresent()
          || (p.timelineEpoch().isPresent() && pg.timelineEpoch().isPresent()
              && p.timelineEpoch().getAsLong() != pg.timelineEpoch().getAsLong());
      if (otherFork) {
        continue; // the same timeline number, another promotion's WAL: not this node's line either
      }
      c.member(p.name()).flatMap(Decider::upstreamOf).ifPresent(u -> found.add(new Source(p, u)));
    }
    return found.stream().max(Comparator.comparingLong(Source::position)
        .thenComparing(s -> s.peer().name(), Comparator.reverseOrder()));
  }

  /**
   * The race's plan when a catch-up is needed: take the lock, then stream from the source instead of promoting
   * ({@code afterAcquire}: the steps a won race takes right after the lock, such as clearing a failover request).
   * Empty when no peer is ahead.
   */
  static Optional<Decision> afterAcquiring(ClusterSnapshot c, PgState pg, HaPolicy policy,
      Map<String, PeerView> peers, Action acquire, List<Action> afterAcquire, long nowNanos) {
    Optional<Source> s = source(c, pg, policy, peers);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    List<Action> plan = new ArrayList<>(List.of(acquire, new Action.CatchUpFrom(s.get().upstream())));
    plan.addAll(afterAcquire);
    return Optional.of(new Decision(plan, DecisionMessage.CATCH_UP_ACQUIRED.format(s.get().peer().name(),
        s.get().position(), pg.timeline(), pg.walPosition()))
        .ifGateFails(DecisionMessage.RACE_LOST.format())
        .withMemory(HaMemory.NONE.withCatchUp(Optional.of(progress(s.get(), nowNanos)))));
  }

  private static Progress progress(Source s, long sinceNanos) {
    return new Progress(s.peer().name(), s.position(), sinceNanos);
  }

  /**
   * What the holder's catch-up says this cycle: {@code waiting}, a plan that keeps the lock and streams (the promotion
   * is held back), or {@code promoting}, the message of the promotion that follows now when a catch-up ended
   * (empty: none was in progress, the usual message).
   */
  record Step(Optional<Decision> waiting, Optional<String> promoting) {
    static final Step NONE = new Step(Optional.empty(), Optional.empty());
  }

  /**
   * The lock holder, still a running replica, before it promotes: {@code keep} is the plan so far (the lock
   * refresh). A catch-up is started here too when none is remembered (a holder whose promotion has not run yet),
   * and ended by the bound, by the source leaving, or by being caught up.
   */
  static Step atHolder(ClusterSnapshot c, LocalState local, HaPolicy policy, Map<String, PeerView> peers,
      List<Action> keep, long nowNanos) {
    PgState pg = local.pg();
    Optional<Progress> was = local.memory().catchUp();
    Optional<Source> s = source(c, pg, policy, peers);
    long mine = pg.walPosition();
    if (s.isEmpty()) {
      if (was.isEmpty()) {
        return Step.NONE;
      }
      Progress p = was.get();
      if (mine >= p.target()) {
        return new Step(Optional.empty(), Optional.of(DecisionMessage.CATCH_UP_DONE.format(p.source(), mine,
            p.target())));
      }
      return new Step(Optional.empty(), Optional.of(DecisionMessage.CATCH_UP_SOURCE_GONE.format(p.source(), mine,
          p.target(), p.target() - mine)));
    }
    long since = was.map(Progress::sinceNanos).orElse(nowNanos);
    java.time.Duration limit = bound(policy);
    long bound = limit.toNanos();
    if (nowNanos - since >= bound) {
      return new Step(Optional.empty(), Optional.of(DecisionMessage.CATCH_UP_TIMED_OUT.format(
          s.get().peer().name(), TimeUnits.seconds(limit), mine, s.get().position(),
          s.get().position() - mine)));
    }
    List<Action> plan = new ArrayList<>(keep);
    String name = s.get().peer().name();
    String message;
    if (!pg.upstream().equals(Optional.of(s.get().upstream().address()))) {
      plan.add(new Action.CatchUpFrom(s.get().upstream()));
      message = DecisionMessage.CATCH_UP_REPOINTING.format(name, s.get().position(), mine);
    } else {
      long leftSeconds = (since + bound - nowNanos + 999_999_999L) / 1_000_000_000L;
      message = DecisionMessage.CATCH_UP_WAITING.format(name, mine, s.get().position(),
          s.get().position() - mine, leftSeconds);
    }
    Decision wait = new Decision(plan, message)
        .withMemory(HaMemory.NONE.withCatchUp(Optional.of(progress(s.get(), since))));
    return new Step(Optional.of(wait), Optional.empty());
  }
}
