package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.dcs.lease.LeaseTracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code failsafe_mode} (Patroni's): a primary that cannot reach the DCS keeps running while every member answers
 * it directly. Pure rules; the executor posts the round ({@link Action.FailsafeRound}) and the REST API records the
 * members' promises ({@link FailsafePromises}).
 *
 * <p><b>The lease it stands on.</b> In pgquorum a primary is writable only while it holds a lease; failsafe mode is
 * a second way of holding one: instead of the DCS majority, <em>every</em> other member grants it. A member that
 * accepts a round's {@code POST /failsafe} promises not to race for the lock for {@link #promiseNanos} (one ttl
 * times the DCS's clock-rate factor) from the moment it received it, on its own monotonic clock; once every member
 * accepted, the primary extends its lease deadline to the round's send time plus the lease's usual
 * {@code ttl - retry_timeout} ({@link LeaseTerms}), on its own clock. The same argument as the DCS lease makes the
 * promises outlast the deadline in real time, even with both clocks off by the allowed rate in opposite directions:
 * {@code (ttl - margin) / (1 - rho) < ttl * (1 + rho) / (1 - rho) / (1 + rho)}. Whoever could take the lock in the
 * meantime has promised not to try:
 * <ul>
 *   <li>a member that accepted (its race waits out the promise: {@link #whyNoRace});</li>
 *   <li>a member the {@code failsafe} key does not list may not race while failsafe mode is on, so a member that
 *       joined during the outage (a replica restored from a backup) cannot either; unless every member the key
 *       lists answered this cycle and none runs PostgreSQL as a primary ({@link #listedNotPrimary});</li>
 *   <li>a daemon that restarted forgot its promises, so it does not race for one promise's length after its start
 *       while failsafe mode is on;</li>
 *   <li>a member that is racing (or holds the lock) refuses the promise ({@link FailsafePromises}: the race and the
 *       promise exclude each other under one lock), so the round fails and the primary's deadline stays.</li>
 * </ul>
 * The primary asks the union of the members the key last listed and the members it last wrote into it (a write
 * whose reply was lost may already be in force), never fewer. Only DCS <em>errors</em> lead here: a lock that
 * belongs to someone else still demotes at once, as in Patroni.
 */
public final class FailsafeRules {
  private FailsafeRules() {}

  /**
   * What a leader remembers for the cycles without a DCS: whom to ask, and the lease terms of the lock it held.
   *
   * @param peers every other member to ask, by name, with its api_url
   * @param storedTtl the ttl stored on the lock the leader held (the terms' rule takes the lower one)
   * @param terms the lease terms in force when the DCS was last read
   */
  public record Peers(Map<String, String> peers, Duration storedTtl, LeaseTerms terms) {
    public Peers {
      peers = java.util.Collections.unmodifiableMap(new TreeMap<>(peers));
    }
  }

  /**
   * How long a member keeps its promise after receiving a round: one ttl stretched by the DCS's clock-rate factor,
   * exactly as long as the DCS would keep a lease alive (see the class comment for why this outlasts the deadline
   * the round gives the primary).
   */
  public static long promiseNanos(Duration ttl) {
    double rho = LeaseTracker.DEFAULT_MAX_CLOCK_RATE_DRIFT;
    return (long) Math.ceil(ttl.toNanos() * (1 + rho) / (1 - rho));
  }

  /** The members the {@code failsafe} key should list: every member with an api_url, this node included. */
  static Map<String, String> wanted(ClusterSnapshot c, HaPolicy policy) {
    Map<String, String> out = new TreeMap<>();
    for (Member m : c.members().values()) {
      if (m.apiUrl() != null && !m.apiUrl().isBlank()) {
        out.put(m.name(), m.apiUrl());
      }
    }
    if (policy.node().apiUrl() != null && !policy.node().apiUrl().isBlank()) {
      out.put(policy.name(), policy.node().apiUrl());
    }
    return out;
  }

  /**
   * The lock holder's upkeep of the {@code failsafe} key: written when failsafe mode is on and the key differs from
   * the members, deleted when the mode is off and the key is still there (Patroni's leader does the same).
   */
  static List<Action> holderUpkeep(ClusterSnapshot c, HaPolicy policy) {
    if (policy.dynamic().failsafeMode()) {
      Map<String, String> want = wanted(c, policy);
      return c.failsafe().equals(Optional.of(want)) ? List.of() : List.of(new Action.WriteFailsafe(want));
    }
    return c.failsafe().isPresent() ? List.of(new Action.WriteFailsafe(Map.of())) : List.of();
  }

  /**
   * The step a clean handover (a shutdown or a switchover of the primary: PostgreSQL stopped, its last position
   * published, the lock about to be released) takes before the release: the {@code failsafe} key deleted, when
   * there is one. Why: the key keeps every member it does not list out of the race while failsafe mode is on, and
   * only a holder rewrites it; after a handover that no new leader follows (the members the releasing primary
   * listed all behind, or gone), a key that left out a member whose member key had expired meanwhile (a paused
   * daemon, the former primary) kept that member, the most advanced one, out of the race for good: nobody could be
   * promoted (the simulator's seed 1277000385530). Why it is safe: the key only stands for promises to a primary
   * running on failsafe, and none can exist after this step: this node's PostgreSQL is stopped, the executor deletes
   * the key only while this node's lease is valid (so no other node holds the lock), and an earlier holder's
   * failsafe lease ended before this node could take the lock (its members' promises held every racer back until
   * then, and a member holding the lock refuses to promise). Empty without a key.
   */
  static List<Action> beforeHandover(Optional<ClusterSnapshot> cluster) {
    return cluster.flatMap(ClusterSnapshot::failsafe).isPresent() ? List.of(new Action.ClearFailsafe()) : List.of();
  }

  /**
   * The holder's plan with the {@code failsafe} key's upkeep appended, when the plan keeps the lock (refreshes or
   * re-arms it, after which the upkeep runs only if that gate passed) and does not give it up.
   */
  static Decision upkept(Decision d, Optional<ClusterSnapshot> cluster, HaPolicy policy) {
    if (cluster.isEmpty() || !cluster.get().isLeader(policy.name())) {
      return d;
    }
    boolean keeps = d.actions().stream().anyMatch(a -> a instanceof Action.RefreshLock
        || a instanceof Action.RearmLock);
    boolean releases = d.actions().stream().anyMatch(a -> a instanceof Action.ReleaseLock);
    List<Action> upkeep = keeps && !releases ? holderUpkeep(cluster.get(), policy) : List.of();
    if (upkeep.isEmpty()) {
      return d;
    }
    List<Action> actions = new ArrayList<>(d.actions());
    actions.addAll(upkeep);
    return d.withActions(actions);
  }

  /**
   * What the leader remembers for a DCS outage after this cycle: with failsafe mode on, the union of the key as
   * read and as this cycle writes it (without this node); otherwise nothing (the mode is off: ride out the lease).
   */
  static Optional<Peers> remember(ClusterSnapshot c, HaPolicy policy) {
    if (!policy.dynamic().failsafeMode() || c.leader().isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> peers = new TreeMap<>(c.failsafe().orElse(Map.of()));
    peers.putAll(wanted(c, policy));
    peers.remove(policy.name());
    return Optional.of(new Peers(peers, c.leader().get().ttl(), LeaseTerms.of(policy.dynamic(), policy.bugs())));
  }

  /** The decision with what a leader remembers for failsafe mode ({@link #remember}), or without it. */
  static Decision remembered(Decision d, Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy) {
    if (cluster.isEmpty()) {
      // An outage: what the last cycle with a DCS remembered is what the rounds ask, for as long as a lease is held
      // (once it is gone the node is no leader, and a later outage must not ask on its behalf).
      Optional<Peers> kept = local.leaseDeadlineNanos().isPresent() ? local.memory().failsafe() : Optional.empty();
      return d.withMemory(d.memory().withFailsafe(kept));
    }
    boolean holder = cluster.get().isLeader(policy.name());
    return d.withMemory(d.memory().withFailsafe(holder ? remember(cluster.get(), policy) : Optional.empty()));
  }

  /**
   * In a DCS-less cycle of a primary with a valid lease and failsafe mode remembered: the round that asks every
   * member (and, once all accept, extends the lease). Empty otherwise (the usual ride-out to the deadline).
   */
  static Optional<Decision> whileDcsUnreachable(LocalState local, HaPolicy policy, long nowNanos) {
    Optional<Peers> peers = local.memory().failsafe();
    if (peers.isEmpty() || !local.pg().isPrimary() || local.leaseDeadlineNanos().isEmpty()
        || nowNanos - local.leaseDeadlineNanos().getAsLong() >= 0) {
      return Optional.empty();
    }
    long leftMs = (local.leaseDeadlineNanos().getAsLong() - nowNanos) / 1_000_000;
    Peers p = peers.get();
    String message = p.peers().isEmpty() ? DecisionMessage.DCS_UNREACHABLE_FAILSAFE_ALONE.format(policy.name(), leftMs)
        : DecisionMessage.DCS_UNREACHABLE_FAILSAFE.format(policy.name(), p.peers().keySet(), leftMs);
    return Optional.of(Decision.of(message, new Action.FailsafeRound(p.peers(), p.storedTtl(), p.terms(),
        slotsToSend(local.pg(), p.peers().keySet(), policy))));
  }

  /**
   * The slot positions a primary sends with its failsafe round (Patroni's {@code slots}), for the replicas that
   * cannot read the leader's {@code status} from the DCS meanwhile: what it would publish there (the slots it keeps
   * for the members it asks and the configured permanent ones, at their positions) plus its own member slot at its
   * current WAL position, which the replicas keep for it ({@link SlotWants}).
   */
  static Map<String, Long> slotsToSend(io.pgquorum.coordinator.postgres.PgState pg, java.util.Set<String> peers,
      HaPolicy policy) {
    java.util.Set<String> members = new java.util.TreeSet<>();
    peers.forEach(name -> members.add(Decider.slotName(name)));
    java.util.Set<String> permanent =
        io.pgquorum.coordinator.config.PermanentSlots.from(policy.dynamic().raw()).keySet();
    Map<String, Long> out = new TreeMap<>();
    pg.slots().forEach((slot, at) -> {
      if (members.contains(slot) || permanent.contains(slot)) {
        out.put(slot, at);
      }
    });
    out.put(Decider.slotName(policy.name()), pg.walPosition());
    return out;
  }

  /**
   * A running replica holding a promise in force to a primary on failsafe that sent slot positions (it is cut off from
   * the DCS, or the DCS it reads has no leader: the primary cannot publish its status meanwhile): the copies it holds
   * of those slots are moved to them (Patroni's use of the request's {@code slots}), so that WAL does not pile up
   * here for the length of the outage. Only slots that exist here and are physical
   * copies (its own slot and the configured logical ones are left out; the executor moves only inactive physical
   * slots, never back and never past the replay position); nothing is created or dropped without the DCS.
   */
  static Optional<Action> slotAdvance(LocalState local, HaPolicy policy, long nowNanos) {
    Optional<FailsafePromise> promise = local.failsafe().promise();
    if (!policy.dynamic().useSlots() || !local.pg().isReplica() || promise.isEmpty()
        || nowNanos - promise.get().untilNanos() >= 0) {
      return Optional.empty();
    }
    String mine = Decider.slotName(policy.name());
    java.util.Set<String> logical = LogicalSlotWants.configured(policy).keySet();
    Map<String, Long> advance = new TreeMap<>();
    promise.get().slots().forEach((slot, at) -> {
      if (!slot.equals(mine) && !logical.contains(slot) && local.pg().slots().containsKey(slot)
          && local.pg().slots().get(slot) < at) {
        advance.put(slot, at);
      }
    });
    return advance.isEmpty() ? Optional.empty() : Optional.of(new Action.AdvanceSlots(advance));
  }

  /**
   * Why this node may not race for the free lock now, if it may not: a promise to a primary running on failsafe,
   * a daemon start too recent to know what it promised before, or (failsafe mode on) not being in the key.
   */
  static Optional<String> whyNoRace(ClusterSnapshot c, LocalState local, HaPolicy policy,
      Map<String, PeerView> peers, long nowNanos) {
    if (policy.bugs().active(HaBug.FAILSAFE_IGNORES_PROMISE)) {
      // PLANTED BUG (test harness only): races whatever it promised, so two primaries can run at once.
      return Optional.empty();
    }
    Optional<FailsafePromise> promise = local.failsafe().promise();
    if (promise.isPresent() && nowNanos - promise.get().untilNanos() < 0) {
      return Optional.of(DecisionMessage.FAILSAFE_PROMISED.format(promise.get().leader(),
          (promise.get().untilNanos() - nowNanos) / 1_000_000));
    }
    if (!policy.dynamic().failsafeMode()) {
      return Optional.empty();
    }
    // The start's quiet period stands for the promises an earlier daemon of this node may have given, which this one
    // does not know. Not once this daemon has held the lease: it got it by a race this rule let through (so after
    // the quiet period), by re-adopting the lease of an earlier daemon that held it (which raced after its own
    // promises ended and refused every promise while it held the lease: FailsafePromises.promise), or by the
    // bootstrap of a new cluster; in each case no earlier promise is in force, and its own are in `promise` above.
    // Without this, a primary whose lock ran out while it ran on failsafe within its first promise's length after a
    // start demoted once the DCS came back instead of taking its lock again (the simulator's seed 1274000017814).
    long quietUntil = local.failsafe().startedNanos() + promiseNanos(policy.dynamic().ttl());
    if (!local.failsafe().heldLease() && nowNanos - quietUntil < 0) {
      return Optional.of(DecisionMessage.FAILSAFE_JUST_STARTED.format((quietUntil - nowNanos) / 1_000_000));
    }
    if (c.failsafe().isPresent() && !c.failsafe().get().containsKey(policy.name())) {
      List<String> unsure = listedNotPrimary(c.failsafe().get(), policy.name(), peers);
      if (!unsure.isEmpty()) {
        return Optional.of(DecisionMessage.FAILSAFE_NOT_LISTED.format(unsure));
      }
    }
    return Optional.empty();
  }

  /**
   * The members {@code listed} (this node aside) that did not answer this cycle as anything but a running primary:
   * empty means an unlisted member may race after all. Why the key's rule may be lifted then: it stands for
   * promises to a primary running on failsafe, which did not ask an unlisted member. The only holder that can still
   * run on failsafe is the last one (an earlier holder's failsafe lease ended before the next could take the lock),
   * and the last holder is in the key it wrote (it lists itself). One that answers and is not a running primary is
   * not on failsafe now, and cannot become a primary again without taking the free lock through the DCS, which this
   * node's own compare-and-set race excludes. A member that did not answer may be that primary: the rule holds.
   * Without this, a key that left out the most advanced member (its member key had expired while it was cut off)
   * kept everyone from being promoted once the holder that wrote it died, since the listed members deferred to the
   * unlisted one (the simulator's seed 1277000535819).
   */
  static List<String> listedNotPrimary(Map<String, String> listed, String me, Map<String, PeerView> peers) {
    List<String> unsure = new ArrayList<>();
    for (String name : listed.keySet()) {
      PeerView p = peers.get(name);
      boolean cleared = p != null && p.reachable()
          && !(p.running() && p.role().map(Publication::isPrimaryRole).orElse(true));
      if (!name.equals(me) && !cleared) {
        unsure.add(name);
      }
    }
    return unsure;
  }

  /** The names of {@code peers} missing from {@code accepted}, in order (for the log line of a failed round). */
  public static List<String> missing(Map<String, String> peers, java.util.Set<String> accepted) {
    List<String> out = new ArrayList<>();
    for (String name : peers.keySet()) {
      if (!accepted.contains(name)) {
        out.add(name);
      }
    }
    return out;
  }
}
