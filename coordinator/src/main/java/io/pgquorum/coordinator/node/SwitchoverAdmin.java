package io.pgquorum.coordinator.node;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.Failover;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.SyncMode;
import io.pgquorum.coordinator.config.TimeUnits;
import io.pgquorum.coordinator.ha.PeerFetcher;
import io.pgquorum.coordinator.ha.PeerView;
import io.pgquorum.coordinator.rest.AdminActions;
import io.pgquorum.dcs.api.DcsException;
import io.pgquorum.dcs.api.DcsUnavailableException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switchover part of the admin endpoints ({@code POST /switchover}, {@code POST /failover},
 * {@code DELETE /switchover}): writes the {@code failover} key that the HA loops act on (see
 * {@code ha.ManualFailover}) and, for an immediate request, waits for the outcome, as Patroni's API does. The
 * request's fields were validated by the REST layer; what is checked here needs the cluster: whether the
 * switchover is possible at all (412, against a fresh DCS read and the candidates' own REST answers).
 */
final class SwitchoverAdmin extends AdminActions.Unsupported {
  private static final Logger log = LoggerFactory.getLogger(SwitchoverAdmin.class);
  /**
   * How often an immediate request re-reads the DCS for its outcome. Patroni reads once a second; a tenth of that
   * answers within 0.1 s of the lock changing hands, for a linearizable read of a few keys ten times a second
   * during the seconds a switchover takes.
   */
  static final Duration POLL = Duration.ofMillis(100);
  /**
   * How long a request waits out an unavailable DCS before answering 503. The DCS is unavailable while the Raft group
   * elects a leader: after the Raft leader's node stops or freezes, its followers wait an election timeout (0.5-1 s
   * at the defaults, more on a loaded machine) and then vote. The HA loop's calls are bounded by retry_timeout (the
   * ttl budget; 2 s in the ITs), which such an election can exceed; an operator's request has no such deadline and
   * a 503 during an election would send the operator to retry by hand. 10 s is Patroni's default retry_timeout.
   * Only unavailability is waited out; a refused request is answered at once.
   */
  static final Duration DCS_PATIENCE = Duration.ofSeconds(10);

  private final ClusterStore store;
  private final PeerFetcher peers;
  private final Runnable wakeLoop;
  private final LongSupplier nanoClock;
  private final Duration pollEvery;

  /**
   * @param peers asks members' REST APIs (the same client the HA loop uses)
   * @param wakeLoop starts this node's next HA cycle now (the leader may be this node)
   * @param pollEvery how often an immediate request re-reads the DCS for its outcome
   */
  SwitchoverAdmin(ClusterStore store, PeerFetcher peers, Runnable wakeLoop, LongSupplier nanoClock,
      Duration pollEvery) {
    this.store = store;
    this.peers = peers;
    this.wakeLoop = wakeLoop;
    this.nanoClock = nanoClock;
    this.pollEvery = pollEvery;
  }

  @Override
  public Result switchover(String leader, Optional<String> candidate, Optional<String> scheduledAt) {
    return request(Optional.of(leader), candidate, scheduledAt);
  }

  @Override
  public Result failover(Optional<String> candidate) {
    return request(Optional.empty(), candidate, Optional.empty());
  }

  /** Patroni's DELETE /switchover: only a scheduled request is cancelled, with a compare-and-set. */
  @Override
  public Result cancelSwitchover() {
    Optional<Failover> f = patiently(store::peek, nanoClock.getAsLong() + DCS_PATIENCE.toNanos()).failover()
        .filter(x -> x.scheduledAt().isPresent());
    if (f.isEmpty()) {
      return new Result(404, "no switchover is scheduled");
    }
    if (!store.clearFailover(f.get().modRevision())) {
      return new Result(409, "");
    }
    log.info("the scheduled switchover at {} was cancelled through the REST API", f.get().scheduledAt().get());
    return new Result(200, "scheduled switchover deleted");
  }

  private Result request(Optional<String> leader, Optional<String> candidate, Optional<String> scheduledAt) {
    String action = leader.isPresent() ? "switchover" : "failover";
    long patience = nanoClock.getAsLong() + DCS_PATIENCE.toNanos();
    ClusterSnapshot c;
    try {
      c = patiently(store::peek, patience);
    } catch (DcsException e) {
      return new Result(503, "failed to write failover key into DCS");
    }
    Optional<String> oldLeader = c.leader().map(LeaderLock::name);
    if (scheduledAt.isEmpty()) {
      Optional<String> impossible = whyImpossible(c, action, leader, candidate);
      if (impossible.isPresent()) {
        return new Result(412, impossible.get());
      }
    }
    try {
      if (!write(leader, candidate, scheduledAt, patience)) {
        return new Result(503, "failed to write failover key into DCS");
      }
    } catch (DcsException e) {
      return new Result(503, "failed to write failover key into DCS");
    }
    log.info("{} requested through the REST API: leader {}, candidate {}{}", action, leader.orElse("-"),
        candidate.orElse("any"), scheduledAt.map(t -> ", at " + t).orElse(""));
    if (scheduledAt.isPresent()) {
      return new Result(202, "Switchover scheduled");
    }
    wakeLoop.run();
    Duration loopWait = c.config().map(v -> v.value().loopWait()).orElse(Duration.ofSeconds(10));
    return awaitOutcome(action, oldLeader, candidate,
        TimeUnits.max(Duration.ofSeconds(10), loopWait).multipliedBy(2));
  }

  /**
   * Writes the request conditioned on the key's revision just read, so a request written meanwhile by someone else is
   * not overwritten. A write that went unanswered may still have been applied: the key is read again, and holding
   * exactly this request at a newer revision means it was (a later identical request from someone else is the same
   * request); a key still at the revision read is written again; anything else is someone else's request.
   */
  private boolean write(Optional<String> leader, Optional<String> candidate, Optional<String> scheduledAt,
      long patience) {
    long expected = patiently(store::failoverRevision, patience);
    while (true) {
      try {
        return store.writeFailover(leader, candidate, scheduledAt, expected);
      } catch (DcsUnavailableException e) {
        if (nanoClock.getAsLong() >= patience) {
          throw e;
        }
        log.debug("writing the {} request: {}", leader.isPresent() ? "switchover" : "failover", e.getMessage());
      }
      Optional<Failover> now = patiently(() -> store.peek().failover(), patience);
      long revision = now.map(Failover::modRevision).orElse(0L);
      if (revision != expected) {
        return now.filter(f -> f.leader().equals(leader) && f.member().equals(candidate)
            && f.scheduledAt().equals(scheduledAt)).isPresent();
      }
    }
  }

  /** Calls {@code call} until it answers or {@code deadline} passes, waiting out an unavailable DCS. */
  private <T> T patiently(Supplier<T> call, long deadline) {
    while (true) {
      try {
        return call.get();
      } catch (DcsUnavailableException e) {
        if (nanoClock.getAsLong() >= deadline) {
          throw e;
        }
        log.debug("the DCS is unavailable, asking again: {}", e.getMessage());
        try {
          Thread.sleep(pollEvery.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * Patroni's poll: until the lock is held by someone other than the old leader (done), or the key is gone while
   * no new leader holds the lock (the leader refused and cleared it), or the time is up. The candidate clears
   * the key only after its acquire, so a read without the key and without a new leader means a refusal.
   */
  private Result awaitOutcome(String action, Optional<String> oldLeader, Optional<String> candidate,
      Duration within) {
    String title = Character.toUpperCase(action.charAt(0)) + action.substring(1);
    String verb = action.equals("switchover") ? "switched" : "failed";
    long deadline = nanoClock.getAsLong() + within.toNanos();
    while (nanoClock.getAsLong() < deadline) {
      try {
        Thread.sleep(pollEvery.toMillis());
        ClusterSnapshot now = store.peek();
        Optional<String> holder = now.leader().map(LeaderLock::name);
        if (holder.isPresent() && !holder.equals(oldLeader)) {
          if (candidate.isEmpty() || candidate.equals(holder)) {
            return new Result(200, "Successfully " + verb + " over to \"" + holder.get() + "\"");
          }
          return new Result(200, Character.toUpperCase(verb.charAt(0)) + verb.substring(1) + " over to \""
              + holder.get() + "\" instead of \"" + candidate.get() + "\"");
        }
        if (now.failover().isEmpty()) {
          return new Result(503, title + " failed");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (DcsException e) {
        // A DCS hiccup while waiting is no outcome: read again.
        log.debug("reading the outcome of the {}: {}", action, e.getMessage());
      }
    }
    return new Result(503, title + " status unknown");
  }

  /**
   * Patroni's {@code is_failover_possible}, on a fresh read: the named leader holds the lock; in
   * {@code synchronous_mode: on} a switchover goes only to a standby the {@code sync} key lists (a failover, which
   * the operator asks for when the leader is gone, is not restricted); the candidate is a member; and some candidate
   * answers its REST API, may promote and, unlike Patroni (which lets the leader's loop find out and refuse), runs
   * PostgreSQL: a stopped candidate is refused here with 412 rather than after the request was written.
   *
   * <p>Why the sync check here rather than only in the loops: a switchover written to an asynchronous candidate is
   * accepted, then the candidate may not race (it could lack acknowledged commits) and the request ends as
   * "Switchover failed" or, with the leader demoting first, as a failover to someone else.
   */
  private Optional<String> whyImpossible(ClusterSnapshot c, String action, Optional<String> leader,
      Optional<String> candidate) {
    if (leader.isPresent() && !c.isLeader(leader.get())) {
      return Optional.of("leader name does not match");
    }
    boolean syncOn = synchronousOn(c);
    Map<String, String> urls = new LinkedHashMap<>();
    if (candidate.isPresent()) {
      if (action.equals("switchover") && syncOn && !listedInSync(c, candidate.get())) {
        return Optional.of("candidate name does not match with sync_standby");
      }
      Optional<Member> m = c.member(candidate.get());
      if (m.isEmpty()) {
        return Optional.of("candidate does not exists");
      }
      if (!m.get().apiUrl().isEmpty()) {
        urls.put(m.get().name(), m.get().apiUrl());
      }
    } else if (syncOn) {
      for (Member m : c.members().values()) {
        if (listedInSync(c, m.name()) && !m.apiUrl().isEmpty()) {
          urls.put(m.name(), m.apiUrl());
        }
      }
      if (urls.isEmpty()) {
        // Only a switchover gets here (a failover names its candidate).
        return Optional.of("switchover is not possible: can not find sync_standby");
      }
    } else {
      for (Member m : c.members().values()) {
        if (!c.isLeader(m.name()) && !m.apiUrl().isEmpty()) {
          urls.put(m.name(), m.apiUrl());
        }
      }
      if (urls.isEmpty()) {
        return Optional.of("switchover is not possible: cluster does not have members except leader");
      }
    }
    for (PeerView p : peers.fetch(urls).values()) {
      if (p.reachable() && p.running() && !p.nofailover() && p.failoverPriority() > 0) {
        return Optional.empty();
      }
    }
    return Optional.of("switchover is not possible: no good candidates have been found");
  }

  /**
   * Patroni's {@code is_synchronous_mode and not is_quorum_commit_mode}: {@code synchronous_mode: on} outside a
   * standby cluster (whose leader replicates from elsewhere, so the mode is ignored there).
   */
  private static boolean synchronousOn(ClusterSnapshot c) {
    return c.config().map(v -> v.value().synchronous().mode() == SyncMode.ON
        && v.value().standbyCluster().isEmpty()).orElse(false);
  }

  /** Listed as a synchronous standby by the key (case-insensitive, as Patroni's {@code sync.matches}). */
  private static boolean listedInSync(ClusterSnapshot c, String name) {
    return c.sync().map(s -> s.lists(name)).orElse(false);
  }
}
