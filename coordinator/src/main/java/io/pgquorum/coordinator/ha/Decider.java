package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Initialize;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.coordinator.postgres.Upstream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The HA decision: a pure function of (cluster snapshot, local state, policy, peer views, now) to ordered
 * actions and a message. No I/O, no clock, no sleeping; every input is a value, so the rules are table-tested
 * without PostgreSQL or a DCS ({@code DeciderTest}).
 *
 * <p>The branches follow Patroni's HA cycle (see the compatibility reference) in this order: shutdown, DCS
 * unreachable, long task in progress, system-identifier check, empty data directory (bootstrap or clone), we hold
 * the lock, someone else holds it, nobody does (leader race).
 *
 * <p>Safety rule this function keeps: it never plans a start or promotion as primary unless the same plan first
 * acquires or refreshes the lock (a gate), and it demotes a running primary whenever the snapshot shows the lock
 * is not ours. The local lease deadline is enforced twice: here (DCS unreachable) and by {@link LeaseGuard},
 * which does not depend on this loop making progress.
 */
public final class Decider {
  private Decider() {}

  /**
   * Whether the loop should gather {@link PeerView}s before deciding: only when the cluster is unlocked and this
   * node could take part in the race (asking peers costs a network round trip).
   */
  public static boolean needsPeerViews(Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy) {
    return cluster.isPresent()
        && cluster.get().isUnlocked()
        && cluster.get().initialize().map(i -> !i.bootstrapInProgress()).orElse(false)
        && local.pg().running()
        && local.runningTask().isEmpty()
        && !local.shutdownRequested()
        && policy.tags().canFailover();
  }

  public static Decision decide(Optional<ClusterSnapshot> cluster, LocalState local, HaPolicy policy,
      Map<String, PeerView> peers, long nowNanos) {
    String me = policy.name();
    PgState pg = local.pg();

    if (local.shutdownRequested()) {
      boolean holder = cluster.map(c -> c.isLeader(me)).orElse(local.leaseDeadlineNanos().isPresent());
      if (holder) {
        return Decision.of("shutting down: stopping PostgreSQL and releasing the leader lock",
            new Action.StopPostgres(StopMode.FAST), new Action.ReleaseLock());
      }
      return Decision.of("shutting down: stopping PostgreSQL", new Action.StopPostgres(StopMode.FAST));
    }

    if (cluster.isEmpty()) {
      return dcsUnreachable(local, policy, nowNanos);
    }
    ClusterSnapshot c = cluster.get();
    boolean holder = c.isLeader(me);

    if (local.runningTask().isPresent()) {
      String task = local.runningTask().get();
      if (holder) {
        return Decision.of(task + " in progress", new Action.RefreshLock(c.leader().get().fencingToken()));
      }
      if (pg.isPrimary()) {
        return Decision.of("demoting self because " + task + " is in progress and I do not hold the lock",
            new Action.Demote(StopMode.IMMEDIATE));
      }
      return Decision.of(task + " in progress");
    }

    Optional<Initialize> init = c.initialize();
    if (init.isPresent() && !init.get().bootstrapInProgress() && pg.systemIdentifier().isPresent()
        && !init.get().systemIdentifier().equals(pg.systemIdentifier().get())) {
      return Decision.of("system ID mismatch",
          new Action.Fatal("the data directory's database system identifier " + pg.systemIdentifier().get()
              + " does not match the cluster's " + init.get().systemIdentifier()
              + " (initialize key): this node's data belongs to another cluster. Remove or move the data "
              + "directory to let the node join as a new replica, or point it at the right scope"));
    }

    if (pg.dataDir() != DataDirState.INITIALIZED) {
      return emptyDataDirectory(c, local, policy);
    }

    if (holder) {
      return holdingLock(c, local, policy);
    }
    if (c.leader().isPresent()) {
      return followingLeader(c, local, policy);
    }
    return leaderRace(c, local, policy, peers);
  }

  private static Decision dcsUnreachable(LocalState local, HaPolicy policy, long nowNanos) {
    PgState pg = local.pg();
    String me = policy.name();
    if (pg.isPrimary() || local.leaseDeadlineNanos().isPresent()) {
      if (local.leaseDeadlineNanos().isPresent() && nowNanos < local.leaseDeadlineNanos().getAsLong()) {
        long leftMs = (local.leaseDeadlineNanos().getAsLong() - nowNanos) / 1_000_000;
        // Our lease is still valid on the majority side: keep serving, and keep trying to refresh.
        // Patroni demotes at the first failed update; the local deadline lets us ride out a short DCS blip
        // without giving up safety (LeaseGuard fences at the deadline even if this loop is stuck).
        return Decision.of("DCS is not accessible; I am (" + me + "), the leader, and my lease stays valid for "
            + leftMs + " ms");
      }
      if (pg.running()) {
        return Decision.of("demoted self because DCS is not accessible and I was a leader",
            new Action.Demote(StopMode.IMMEDIATE));
      }
      return Decision.of("DCS is not accessible and my lease ran out; PostgreSQL stays stopped",
          new Action.Demote(StopMode.IMMEDIATE));
    }
    return Decision.of("DCS is not accessible; no action. I am (" + me + "), a "
        + (pg.isReplica() ? "secondary" : "stopped node") + ", and wait for the DCS");
  }

  private static Decision emptyDataDirectory(ClusterSnapshot c, LocalState local, HaPolicy policy) {
    String me = policy.name();
    Optional<Initialize> init = c.initialize();
    if (local.failedTask().isPresent() && init.isPresent() && init.get().bootstrapInProgress()
        && me.equals(init.get().owner())) {
      List<Action> actions = new ArrayList<>();
      actions.add(new Action.CancelInitialize());
      if (c.isLeader(me)) {
        actions.add(new Action.ReleaseLock());
      }
      return new Decision(actions, "removing initialize key after failed attempt to bootstrap the cluster: "
          + local.failedTask().get());
    }
    if (init.isEmpty()) {
      if (c.leader().isPresent() && !c.isLeader(me)) {
        return cloneOrWait(c, local, me);
      }
      if (!policy.tags().canFailover()) {
        return Decision.of("waiting for leader to bootstrap (I am not allowed to bootstrap: nofailover)");
      }
      return Decision.of("trying to bootstrap a new cluster",
          new Action.RaceInitialize(), new Action.AcquireLock(), new Action.Bootstrap());
    }
    if (init.get().bootstrapInProgress()) {
      if (me.equals(init.get().owner())) {
        // We won the race earlier but no bootstrap task runs: the daemon restarted mid-bootstrap.
        List<Action> actions = new ArrayList<>();
        actions.add(new Action.CancelInitialize());
        if (c.isLeader(me)) {
          actions.add(new Action.ReleaseLock());
        }
        return new Decision(actions,
            "removing initialize key after failed attempt to bootstrap the cluster: bootstrap was interrupted");
      }
      return Decision.of("waiting for leader to bootstrap");
    }
    if (c.isLeader(me)) {
      return Decision.of("releasing the leader lock: I hold it but have no data directory",
          new Action.ReleaseLock());
    }
    if (c.leader().isPresent()) {
      return cloneOrWait(c, local, me);
    }
    return Decision.of("waiting for leader to bootstrap");
  }

  private static Decision cloneOrWait(ClusterSnapshot c, LocalState local, String me) {
    LeaderLock leader = c.leader().get();
    Optional<Upstream> up = c.leaderMember().flatMap(Decider::upstreamOf);
    if (up.isEmpty()) {
      return Decision.of("waiting for leader " + leader.name() + " to publish its address");
    }
    String prefix = local.failedTask().map(f -> "previous attempt failed (" + f + "); ").orElse("");
    return Decision.of(prefix + "trying to bootstrap from leader '" + leader.name() + "'",
        new Action.CloneReplica(up.get()));
  }

  private static Decision holdingLock(ClusterSnapshot c, LocalState local, HaPolicy policy) {
    String me = policy.name();
    PgState pg = local.pg();
    long token = c.leader().get().fencingToken();
    List<Action> actions = new ArrayList<>();
    actions.add(new Action.RefreshLock(token));
    if (pg.isPrimary()) {
      actions.add(new Action.PublishStatus());
      if (c.initialize().map(Initialize::bootstrapInProgress).orElse(true) && pg.systemIdentifier().isPresent()) {
        actions.add(new Action.RecordInitialize(pg.systemIdentifier().get()));
      }
      if (c.config().isEmpty()) {
        actions.add(new Action.SeedConfig());
      }
      if (policy.dynamic().useSlots()) {
        TreeSet<String> slots = new TreeSet<>();
        for (String name : c.members().keySet()) {
          if (!name.equals(me)) {
            slots.add(slotName(name));
          }
        }
        actions.add(new Action.SyncSlots(slots));
      }
      return new Decision(actions, "no action. I am (" + me + "), the leader with the lock");
    }
    if (pg.isReplica()) {
      actions.add(new Action.Promote());
      actions.add(new Action.PublishStatus());
      return new Decision(actions, "promoted self to leader because I had the session lock");
    }
    actions.add(new Action.StartPrimary());
    return new Decision(actions, "starting primary after failure");
  }

  private static Decision followingLeader(ClusterSnapshot c, LocalState local, HaPolicy policy) {
    String me = policy.name();
    PgState pg = local.pg();
    LeaderLock leader = c.leader().get();
    if (pg.isPrimary()) {
      return Decision.of("demoting self because I do not have the lock and I was a leader",
          new Action.Demote(StopMode.IMMEDIATE));
    }
    Optional<Upstream> up = c.leaderMember().flatMap(Decider::upstreamOf);
    if (up.isEmpty()) {
      return Decision.of("no action. I am (" + me + "), a secondary, and the leader (" + leader.name()
          + ") has not published its address yet");
    }
    if (pg.isReplica()) {
      String want = up.get().host() + ":" + up.get().port();
      if (pg.upstream().map(u -> !u.equals(want)).orElse(true)) {
        return Decision.of("changing primary_conninfo and reloading to follow new leader (" + leader.name() + ")",
            new Action.Follow(up.get()));
      }
      return Decision.of("no action. I am (" + me + "), a secondary, and following a leader (" + leader.name()
          + ")");
    }
    String prefix = local.failedTask().map(f -> "previous attempt failed (" + f + "); ").orElse("");
    return Decision.of(prefix + "starting as a secondary following leader (" + leader.name() + ")",
        new Action.Rejoin(up));
  }

  private static Decision leaderRace(ClusterSnapshot c, LocalState local, HaPolicy policy,
      Map<String, PeerView> peers) {
    String me = policy.name();
    PgState pg = local.pg();
    if (!pg.running()) {
      // Patroni starts a stopped node read-only first: it can then report a WAL position and race next cycle.
      return Decision.of("starting as a secondary: the cluster has no leader", new Action.Rejoin(Optional.empty()));
    }
    if (!policy.tags().canFailover()) {
      if (pg.isPrimary()) {
        return Decision.of("demoting self because I am not allowed to promote (nofailover)",
            new Action.Demote(StopMode.IMMEDIATE));
      }
      return Decision.of("following a different leader because I am not allowed to promote");
    }
    Optional<String> unhealthy = whyNotHealthiest(c, pg, policy, peers);
    if (unhealthy.isPresent()) {
      if (pg.isPrimary()) {
        return Decision.of("demoting self because I am not the healthiest node: " + unhealthy.get(),
            new Action.Demote(StopMode.IMMEDIATE));
      }
      return Decision.of("following a different leader because I am not the healthiest node: "
          + unhealthy.get());
    }
    if (pg.isPrimary()) {
      return Decision.of("acquired session lock as a leader",
          new Action.AcquireLock(), new Action.PublishStatus());
    }
    return Decision.of("promoted self to leader by acquiring session lock",
        new Action.AcquireLock(), new Action.Promote(), new Action.PublishStatus());
  }

  /**
   * Patroni's "healthiest node" test. Empty means this node may take the lock; otherwise the reason it may not.
   * Peers that did not answer are ignored (a dead node must not block failover); peers that may not fail over
   * never count as better candidates.
   */
  static Optional<String> whyNotHealthiest(ClusterSnapshot c, PgState pg, HaPolicy policy,
      Map<String, PeerView> peers) {
    long myWal = pg.walPosition();
    long optime = c.lastLeaderOptime();
    long maxLag = policy.dynamic().maximumLagOnFailover();
    if (policy.bugs().active(HaBug.IGNORE_MAXIMUM_LAG_ON_FAILOVER)) {
      // PLANTED BUG (test harness only): skip the maximum_lag_on_failover test below.
      maxLag = Long.MAX_VALUE;
    }
    if (!pg.isPrimary() && optime > 0 && optime - myWal > maxLag) {
      return Optional.of("my WAL position " + myWal + " lags the last known leader position " + optime + " by "
          + (optime - myWal) + " bytes (maximum_lag_on_failover " + maxLag + ")");
    }
    if (pg.timeline() > 0 && pg.timeline() < c.lastHistoryTimeline()) {
      return Optional.of("my timeline " + pg.timeline() + " is behind the cluster's " + c.lastHistoryTimeline());
    }
    for (PeerView p : peers.values()) {
      if (p.name().equals(policy.name()) || !p.reachable()) {
        continue;
      }
      if (p.running() && p.role().map("primary"::equals).orElse(false)) {
        return Optional.of(p.name() + " is running as a primary");
      }
      if (p.nofailover() || p.failoverPriority() <= 0 || !p.running()) {
        continue;
      }
      if (p.timeline() > pg.timeline() && pg.timeline() > 0) {
        return Optional.of(p.name() + " is on a later timeline (" + p.timeline() + ")");
      }
      long theirs = p.walPosition().orElse(-1);
      if (theirs > myWal) {
        return Optional.of(p.name() + " has a later WAL position (" + theirs + " > " + myWal + ")");
      }
      if (theirs == myWal && p.failoverPriority() > policy.tags().failoverPriority()) {
        return Optional.of(p.name() + " has the same WAL position and a higher failover_priority");
      }
    }
    return Optional.empty();
  }

  /** The upstream to stream from, from a member's conn_url ({@code postgres://host:port/db}). */
  public static Optional<Upstream> upstreamOf(Member m) {
    try {
      URI uri = URI.create(m.connUrl());
      if (uri.getHost() == null || uri.getPort() <= 0) {
        return Optional.empty();
      }
      return Optional.of(new Upstream(m.name(), uri.getHost(), uri.getPort()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A member's replication slot name (the one rule shared with the replica's primary_slot_name). */
  public static String slotName(String member) {
    return io.pgquorum.coordinator.postgres.SlotNames.forMember(member);
  }
}
