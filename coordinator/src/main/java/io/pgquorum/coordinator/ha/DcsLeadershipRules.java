package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import java.util.Optional;

/**
 * Keeps the DCS's Raft leadership off the primary's node (issue 15). When the node that runs the primary also
 * leads the Raft group, losing that node also leaves the DCS without a leader until the others elect one: measured
 * 1.2-1.8 s in which the replicas' reads and writes go unanswered (bench/results/raftlead-2026-12-05). With
 * leader-local refreshes (the daemons' default, {@code raft.lease_refresh: leader_local}) it would also lengthen
 * the failover: a new Raft leader must restart every lease at its full ttl from its own election, so this rule is
 * what keeps that mode's failover short. (With {@code durable} refreshes every refresh is a log entry and each
 * member times the lease from when it applied the last one, so a new Raft leader expires it on schedule.)
 *
 * <p>Safety does not depend on it: which member leads never gates a PostgreSQL decision, and a transfer moves no
 * lease deadline earlier (a new leader only re-arms leases later). The cost is one short DCS pause per transfer
 * (Ratis stops accepting writes on the old leader until the target is elected, normally well under a second, inside
 * the lock's retry_timeout), which is why it is asked only of a primary whose plan this cycle keeps the lock and
 * changes nothing else, and only towards a voter the leader heard from within the election timeout (one that can
 * take over at once).
 *
 * <p>A transfer that fails is not free, though, so after one the rule waits {@link #RETRY_AFTER_FAILURE_NANOS}
 * before asking again. Ratis makes the target stand at once, at a higher term and without a pre-vote. A target
 * that hears the leader but cannot reach a majority itself (an asymmetric partition: its outgoing messages are
 * lost) never wins, and the higher term it answers the leader's next append with deposes the leader: the DCS has
 * no leader until the old one wins again, an election timeout or two later. Asked again every cycle, the same
 * target would cost that every few seconds for as long as the partition lasts (seen in the fault campaign's P2
 * schedule, where both replicas lose their outgoing links and the primary's member is the only one that can lead).
 *
 * <p>Off with the dynamic key {@code raft_leadership_off_primary: false}.
 */
final class DcsLeadershipRules {
  /**
   * How long after a failed hand-off the rule asks again: 30 s. The hand-off only shortens a later failover's DCS
   * pause; a failed one costs a leaderless election (about 1 s here), so at most one per 30 s keeps a partition
   * that makes every transfer fail from taking more than a few percent of the DCS's time, while a transient
   * failure (a target that was busy) is retried well within a minute.
   */
  static final long RETRY_AFTER_FAILURE_NANOS = 30_000_000_000L;

  private DcsLeadershipRules() {}

  static Decision apply(Decision d, Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy,
      long nowNanos) {
    DcsLeadership dcs = local.dcsLeadership();
    boolean backingOff = dcs.handOffFailedAtNanos().isPresent()
        && nowNanos - dcs.handOffFailedAtNanos().getAsLong() < RETRY_AFTER_FAILURE_NANOS;
    if (!dcs.localLeader() || dcs.handOffTargets().isEmpty() || backingOff
        || !policy.dynamic().raftLeadershipOffPrimary()
        || cluster.isEmpty() || !cluster.get().isLeader(policy.name()) || !local.pg().running()
        || !local.pg().isPrimary() || local.runningTask().isPresent() || local.shutdownRequested()) {
      return d;
    }
    if (!d.keepsLockQuietly()) {
      return d;
    }
    // The first in the member's order: any voter it heard from can take over; a stable choice keeps transcripts
    // and logs readable.
    return d.withActions(append(d, new Action.HandOffDcsLeadership(dcs.handOffTargets().get(0))));
  }

  private static java.util.List<Action> append(Decision d, Action a) {
    java.util.List<Action> out = new java.util.ArrayList<>(d.actions());
    out.add(a);
    return out;
  }
}
