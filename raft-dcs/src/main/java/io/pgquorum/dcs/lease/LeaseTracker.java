package io.pgquorum.dcs.lease;

import io.pgquorum.dcs.planted.DcsBug;
import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.dcs.proto.Entry;
import io.pgquorum.dcs.proto.Expire;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Decides, on one member's monotonic clock, when a lease has run out. Only the Raft leader acts on its
 * decisions, by proposing an {@link Expire} compare-and-delete through the log; the replicated state never
 * depends on this class or on any clock.
 *
 * <h2>The rule</h2>
 * Every member records, on its own {@link System#nanoTime()} clock, the moment it <em>applied</em> the write
 * or refresh that armed each lease ({@code armedAt}). The leader proposes expiry of a lease once
 * {@code now - armedAt >= ttl * (1 + rho) / (1 - rho)} on its own clock, naming the exact lease revision it
 * timed.
 *
 * <h2>Why it is safe (never earlier than TTL after the owner's last successful refresh)</h2>
 * <ol>
 *   <li>Causality: a member applies an entry only after it was committed, and it was committed only after the
 *       owner sent it. So for every member, real time of {@code armedAt} &gt; real time the owner sent the
 *       refresh. A member that learns of a lease later (restart, snapshot install, slow apply) arms it later,
 *       which only delays expiry.</li>
 *   <li>Clock rates: we assume every member's monotonic clock runs at a rate within {@code [1-rho, 1+rho]} of
 *       real time (rho = {@code maxClockRateDrift}; NTP-disciplined clocks are within 0.05 %, the default
 *       allows 5 %). The owner treats its lease as valid until {@code send + ttl} on its own clock, which is
 *       at most {@code ttl / (1 - rho)} of real time. The leader's wait of {@code ttl (1+rho)/(1-rho)} on its
 *       clock lasts at least {@code ttl / (1 - rho)} of real time. Hence expiry never precedes the end of the
 *       owner's own view of its lease.</li>
 *   <li>Monotonic clocks only: wall-clock steps (NTP, an operator) do not move {@code nanoTime}.</li>
 *   <li>Leadership changes: a new leader re-arms every lease at its election (rule 3 of the leader-local
 *       section below, run in every mode), later than any {@code armedAt} it recorded as a follower, which only
 *       delays expiry. The race between an expiry and a refresh is
 *       settled by the log order: the {@code Expire} names the lease revision, and any refresh applied before
 *       it changes that revision, turning the expiry into a no-op.</li>
 * </ol>
 *
 * <h2>Why it is fast (not much later than TTL)</h2>
 * Followers apply each refresh within about one heartbeat of its commit, so while the Raft leader stays, a dead
 * owner's lease expires about {@code ttl (1+rho)/(1-rho)} after its last refresh. When the Raft leader changes,
 * the new leader re-arms every lease at its election (rule 3 below, in every mode), so a lease whose owner died
 * with the old leader lasts until about {@code election + ttl (1+rho)/(1-rho)}: an election timeout or two more,
 * not a whole extra ttl (the owner's last refresh was at most one refresh interval before the crash). Keeping
 * the Raft leader off the primary's node (the coordinator's hand-off) makes that case rare.
 *
 * <h2>Leader-local refresh (optional, {@code LeaseRefreshMode.LEADER_LOCAL})</h2>
 * A refresh of an existing lease can skip the log: the Raft leader re-arms its own timer
 * ({@link #refreshedLocally}) and the owner hears "refreshed" only after the leader confirmed its leadership at a
 * moment after the refresh arrived. Then no member but this leader knows of the refresh, so the rule above is
 * not enough when leadership moves; three more rules keep the guarantee (rule 3 runs in both modes, so that a
 * group whose members differ in mode, during a rolling change, is as safe as one in either mode):
 * <ol>
 *   <li>Arming: the leader re-arms at the moment the refresh <em>arrived</em> (after the owner sent it), under
 *       this tracker's lock, and only a lease revision it times and whose expiry it has not proposed (a refresh
 *       racing an expiry proposal takes the durable path, where the log order settles the race).</li>
 *   <li>Confirmation: the answer waits until a majority of the voters (the leader included) reported its
 *       current Raft term equal to the leader's term {@code T}, each at a moment after the refresh arrived. A
 *       member whose term is still {@code T} has not voted in any later term, and every later leader needs the
 *       votes of a majority, which shares a member with the confirming one; so every leader of a term after
 *       {@code T} was elected after that member's report, hence after the refresh arrived and after the owner
 *       sent it. (Ratis' ReadIndex is not used for this: in 3.3.0 a read whose commit index an earlier round
 *       already confirmed is answered without a new heartbeat round, which proves nothing about the time after
 *       the refresh arrived.)</li>
 *   <li>New leader: on its first expiry check or local refresh as leader of a new term
 *       ({@link #onLeaderTerm}), the leader re-arms <em>every</em> lease at that moment, which is after its
 *       election, hence (2) after every refresh any earlier leader confirmed. Followers' timers, armed when
 *       they applied durable writes, know nothing of local refreshes and are never used for expiry in this
 *       mode. Stale expiry proposals of an earlier term are all applied before a Ratis leader is ready, and an
 *       expiry names the lease revision, which a local refresh does not change, so only rule (1)'s check and
 *       the re-arming keep an expiry from overtaking a confirmed local refresh.</li>
 * </ol>
 * With these, every expiry is still timed on the leader's clock from a moment after the owner's send of its last
 * acknowledged refresh, and the clock-rate argument above applies unchanged. The price: when the Raft leader
 * changes, every lease lasts until about an election plus one ttl (etcd makes the same trade). A member without
 * the mode refuses local refreshes but still re-arms on election (rule 3), so mixing modes never shortens a lease.
 *
 * <p>Not thread-safe; the host calls it under the same lock as the state machine's apply.
 */
public final class LeaseTracker {

  /** Default bound on how far any member's monotonic clock rate may deviate from real time (5 %). */
  public static final double DEFAULT_MAX_CLOCK_RATE_DRIFT = 0.05;

  private record Armed(long leaseRevision, long armedAtNanos, long ttlMillis) {}

  private final LongSupplier nanoClock;
  private final double expiryFactor;
  private final Map<String, Armed> armed = new HashMap<>();
  /** (key, lease revision) pairs whose expiry was proposed and is not settled yet, to avoid duplicates. */
  private final Set<String> proposed = new HashSet<>();
  /** The Raft term whose leadership the timers were last re-armed for ({@link #onLeaderTerm}); 0 = none. */
  private long leaderTerm;

  public LeaseTracker(LongSupplier nanoClock, double maxClockRateDrift) {
    this(nanoClock, maxClockRateDrift, PlantedBugs.NONE);
  }

  /** As above, with the harness's planted bugs ({@link PlantedBugs#NONE} in normal operation). */
  public LeaseTracker(LongSupplier nanoClock, double maxClockRateDrift, PlantedBugs bugs) {
    if (!(maxClockRateDrift >= 0 && maxClockRateDrift < 0.5)) {
      throw new IllegalArgumentException("maxClockRateDrift must be in [0, 0.5), got " + maxClockRateDrift);
    }
    this.nanoClock = nanoClock;
    if (bugs.active(DcsBug.EARLY_EXPIRY)) {
      // PLANTED BUG early-expiry (fault-injection harness only): half the ttl, no drift margin. Breaks the rule
      // above; the harness's lease-expiry checker must see leases vanish before their guaranteed end.
      this.expiryFactor = 0.5;
    } else {
      this.expiryFactor = (1 + maxClockRateDrift) / (1 - maxClockRateDrift);
    }
  }

  /** The multiplier applied to a lease's TTL before the leader expires it. */
  public double expiryFactor() {
    return expiryFactor;
  }

  /** After applying a write or refresh whose resulting entry may carry a lease. */
  public void onWritten(Entry entry) {
    if (entry.getTtlMillis() > 0) {
      armed.put(entry.getKey(), new Armed(entry.getLeaseRevision(), nanoClock.getAsLong(), entry.getTtlMillis()));
    } else {
      armed.remove(entry.getKey());
    }
  }

  /**
   * After an expiry was refused: align the timer of {@code key} with its {@code current} entry (null when
   * absent). A timer already on the current lease revision is kept; any other is replaced by one armed now.
   */
  public void reconcile(String key, Entry current) {
    if (current == null || current.getTtlMillis() == 0) {
      armed.remove(key);
      return;
    }
    Armed a = armed.get(key);
    if (a == null || a.leaseRevision() != current.getLeaseRevision()) {
      onWritten(current);
    }
  }

  /** After applying a deletion of {@code key} (delete, delete-prefix or expiry). */
  public void onRemoved(String key) {
    armed.remove(key);
  }

  /**
   * After loading state from a snapshot (start-up or snapshot installation): every lease is armed now, the
   * earliest moment this member can vouch for.
   */
  public void onRestored(List<Entry> leases) {
    armed.clear();
    proposed.clear();
    leaderTerm = 0;
    long now = nanoClock.getAsLong();
    for (Entry entry : leases) {
      armed.put(entry.getKey(), new Armed(entry.getLeaseRevision(), now, entry.getTtlMillis()));
    }
  }

  /**
   * By the leader of {@code term} (in every mode) before it proposes an expiry or accepts a local
   * refresh: the first call for a new term re-arms every lease now and forgets pending proposals (see the class
   * comment, rule 3). The caller must have seen itself leader of {@code term}, so "now" is after its election.
   *
   * @return true when this call re-armed (the term was new)
   */
  public boolean onLeaderTerm(long term) {
    if (term == leaderTerm) {
      return false;
    }
    leaderTerm = term;
    proposed.clear();
    long now = nanoClock.getAsLong();
    armed.replaceAll((key, a) -> new Armed(a.leaseRevision(), now, a.ttlMillis()));
    return true;
  }

  /** The term of the last {@link #onLeaderTerm} re-arm; 0 when none. */
  public long leaderTerm() {
    return leaderTerm;
  }

  /**
   * A refresh of {@code key} at {@code leaseRevision} arrived at the leader, which will answer it without a log
   * entry: re-arms the timer now. Refused (false, nothing changed) when the tracker does not time exactly that
   * lease revision or has proposed its expiry: the caller then takes the durable path.
   */
  public boolean refreshedLocally(String key, long leaseRevision) {
    Armed a = armed.get(key);
    if (a == null || a.leaseRevision() != leaseRevision || proposed.contains(key + '\0' + leaseRevision)) {
      return false;
    }
    armed.put(key, new Armed(leaseRevision, nanoClock.getAsLong(), a.ttlMillis()));
    return true;
  }

  /**
   * Leases that ran out and have no expiry proposal pending. Marks them as proposed; call
   * {@link #proposalSettled} when the proposal's reply arrives (or fails) so a lost proposal is retried.
   */
  public List<Expire> due() {
    long now = nanoClock.getAsLong();
    List<Expire> out = new ArrayList<>();
    for (Map.Entry<String, Armed> e : armed.entrySet()) {
      Armed a = e.getValue();
      long waitNanos = (long) Math.ceil(a.ttlMillis() * 1_000_000.0 * expiryFactor);
      if (now - a.armedAtNanos() >= waitNanos && proposed.add(e.getKey() + '\0' + a.leaseRevision())) {
        out.add(Expire.newBuilder().setKey(e.getKey()).setLeaseRevision(a.leaseRevision()).build());
      }
    }
    return out;
  }

  /**
   * How long until {@link #due()} can next return a lease: the earliest run-out among the timed leases, 0 while an
   * expiry proposal is pending (its settling may put it back); empty when nothing is timed. Only valid until the next
   * arming of a new lease revision (a new lease, a durable refresh that changed its ttl); re-arming an existing one
   * only moves its run-out later.
   */
  public OptionalLong nanosToNextDue() {
    if (!proposed.isEmpty()) {
      return OptionalLong.of(0);
    }
    long now = nanoClock.getAsLong();
    OptionalLong next = OptionalLong.empty();
    for (Armed a : armed.values()) {
      long waitNanos = (long) Math.ceil(a.ttlMillis() * 1_000_000.0 * expiryFactor);
      long left = Math.max(0, a.armedAtNanos() + waitNanos - now);
      if (next.isEmpty() || left < next.getAsLong()) {
        next = OptionalLong.of(left);
      }
    }
    return next;
  }

  public void proposalSettled(Expire expire) {
    proposed.remove(expire.getKey() + '\0' + expire.getLeaseRevision());
  }

  /** Forget pending proposals, for example after losing leadership. */
  public void clearProposals() {
    proposed.clear();
  }

  /** Number of leases being timed (tests, metrics). */
  public int size() {
    return armed.size();
  }
}
