package io.pgquorum.coordinator.rest;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStatus;
import io.pgquorum.coordinator.cluster.Failover;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.cluster.SyncState;
import io.pgquorum.coordinator.cluster.Versioned;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.Tags;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.TimelineSwitch;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Hand-built node statuses for the REST tests: a three-member cluster "demo" where n1 is the primary with the
 * lock, n2 a streaming replica, n3 a replica listed in {@code sync}. The leader's last published position is
 * {@link #OPTIME}.
 */
final class Fixtures {
  static final String SCOPE = "demo";
  static final long OPTIME = 500_000_000L;
  static final long FENCING_TOKEN = 42;
  static final Instant STARTED = Instant.parse("2024-05-06T07:08:09.123456Z");
  static final Instant REPLAYED_AT = Instant.parse("2024-05-06T08:00:00Z");
  static final String SECRET = "s3cret-in-config";

  private Fixtures() {}

  static PgState primaryPg() {
    return new PgState(PgState.DataDirState.INITIALIZED, true, OptionalLong.of(1234), Optional.of(STARTED),
        PgState.Role.PRIMARY, 3, OPTIME, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(),
        List.of(new PgState.Standby("n2", "10.0.0.2", "streaming", "async", OPTIME)),
        Optional.of("7350000000000000001"), 150010, OptionalLong.of(FENCING_TOKEN), false, false);
  }

  static PgState replicaPg(long received, long replayed, String replicationState) {
    return new PgState(PgState.DataDirState.INITIALIZED, true, OptionalLong.of(2345), Optional.of(STARTED),
        PgState.Role.REPLICA, 3, Math.max(received, replayed), OptionalLong.of(received), OptionalLong.of(replayed),
        Optional.of(REPLAYED_AT), Optional.of(replicationState), Optional.of("10.0.0.1:5432"), List.of(),
        Optional.of("7350000000000000001"), 150010, OptionalLong.empty(), false, false);
  }

  static Tags tags(Map<String, Object> all) {
    boolean nofailover = Boolean.TRUE.equals(all.get("nofailover"));
    boolean noloadbalance = Boolean.TRUE.equals(all.get("noloadbalance"));
    int priority = all.get("failover_priority") instanceof Integer i ? i : nofailover ? 0 : 1;
    return new Tags(nofailover, noloadbalance, false, false, priority, all);
  }

  static DynamicConfig config(boolean paused) {
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("ttl", 8);
    raw.put("loop_wait", 1);
    raw.put("postgresql", Map.of("parameters", Map.of("max_connections", 100),
        "authentication", Map.of("replication", Map.of("username", "repl", "password", SECRET))));
    if (paused) {
      raw.put("pause", true);
    }
    return new DynamicConfig(8, 1, 2, 1_048_576, 300, true, true, Map.of("max_connections", "100"), List.of(),
        raw);
  }

  static Member member(String name, String role, String state, long xlog, Optional<String> replicationState,
      Map<String, Object> tags) {
    String host = "10.0.0." + name.substring(1);
    return new Member(name, 10, "postgres://" + host + ":5432/postgres", "http://" + host + ":8008/patroni", state,
        role, "0.1.0", OptionalLong.of(xlog), 3, replicationState, tags, false, Map.of());
  }

  static ClusterSnapshot snapshot(boolean paused) {
    Map<String, Member> members = Map.of(
        "n1", member("n1", "primary", "running", OPTIME, Optional.empty(), Map.of()),
        "n2", member("n2", "replica", "running", OPTIME - 1000, Optional.of("streaming"), Map.of("zone", "a")),
        "n3", member("n3", "replica", "running", OPTIME, Optional.of("streaming"), Map.of()));
    return new ClusterSnapshot(100, Optional.empty(), Optional.of(new Versioned<>(config(paused), 5)),
        Optional.of(new LeaderLock("n1", 99, FENCING_TOKEN, Duration.ofSeconds(8))), members,
        Optional.of(new Failover(Optional.of("n1"), Optional.of("n2"), Optional.of("2030-01-02T03:04:05+00:00"),
            50)),
        Optional.of(new SyncState(Optional.of("n1"), List.of("n3"), 60)),
        List.of(new HistoryEntry(1, 25_165_984, "no recovery target specified", Optional.empty(),
                Optional.empty()),
            new HistoryEntry(2, 50_331_800, "no recovery target specified",
                Optional.of("2024-05-06T07:00:00+00:00"), Optional.of("n1"))),
        Optional.of(new ClusterStatus(OPTIME, Map.of(), 98)));
  }

  static NodeStatus status(String name, PgState pg, String state, String role, boolean holdsLock,
      Optional<ClusterSnapshot> cluster, Optional<Instant> dcsLastSeen, Tags tags, long cycleNanos) {
    return new NodeStatus(SCOPE, name, pg, state, role, holdsLock, cluster, dcsLastSeen, "test", tags,
        Instant.now(), cycleNanos, 7);
  }

  static NodeStatus primary() {
    return status("n1", primaryPg(), "running", "primary", true, Optional.of(snapshot(false)),
        Optional.of(Instant.now()), tags(Map.of("failover_priority", 3)), System.nanoTime());
  }

  /** The primary's last published status, whose lease deadline has passed (its loop stopped publishing). */
  static NodeStatus primaryWithExpiredLease() {
    NodeStatus p = primary();
    return new NodeStatus(p.scope(), p.name(), p.pg(), p.state(), p.role(), true, p.cluster(), p.dcsLastSeen(),
        p.message(), p.tags(), p.cycleAt(), p.cycleNanos(), p.cycles(),
        java.util.OptionalLong.of(System.nanoTime() - 1_000_000L), java.util.OptionalLong.of(7), "armed");
  }

  /** As {@link #primary()} with a lease that has 60 s left. */
  static NodeStatus primaryWithValidLease() {
    NodeStatus p = primary();
    return new NodeStatus(p.scope(), p.name(), p.pg(), p.state(), p.role(), true, p.cluster(), p.dcsLastSeen(),
        p.message(), p.tags(), p.cycleAt(), p.cycleNanos(), p.cycles(),
        java.util.OptionalLong.of(System.nanoTime() + 60_000_000_000L), java.util.OptionalLong.of(7), "armed");
  }

  /** Streaming, fully caught up, tag zone=a. */
  static NodeStatus replica() {
    return status("n2", replicaPg(OPTIME, OPTIME, "streaming"), "running", "replica", false,
        Optional.of(snapshot(false)), Optional.of(Instant.now()), tags(Map.of("zone", "a")), System.nanoTime());
  }

  /** The lock holder of a standby cluster: a streaming standby of the remote primary (role standby_leader). */
  static NodeStatus standbyLeader() {
    return status("n1", replicaPg(OPTIME, OPTIME, "streaming"), "running", "standby_leader", true,
        Optional.of(snapshot(false)), Optional.of(Instant.now()), tags(Map.of()), System.nanoTime());
  }

  static NodeStatus replicaNoLoadBalance() {
    return status("n2", replicaPg(OPTIME, OPTIME, "streaming"), "running", "replica", false,
        Optional.of(snapshot(false)), Optional.of(Instant.now()), tags(Map.of("noloadbalance", true)),
        System.nanoTime());
  }

  /** Replays 100 MiB behind the leader's last position (receipt is caught up). */
  static NodeStatus laggingReplica() {
    return status("n2", replicaPg(OPTIME, OPTIME - 100L * 1024 * 1024, "streaming"), "running", "replica", false,
        Optional.of(snapshot(false)), Optional.of(Instant.now()), tags(Map.of()), System.nanoTime());
  }

  /** Caught up, with PostgreSQL's replay pause state {@code pauseState} (pg_get_wal_replay_pause_state()). */
  static NodeStatus replicaWithPauseState(String pauseState) {
    PgState p = replicaPg(OPTIME, OPTIME, "streaming");
    PgState paused = new PgState(p.dataDir(), p.running(), p.pid(), p.postmasterStartTime(), p.role(), p.timeline(),
        p.walPosition(), p.receivedLsn(), p.replayedLsn(), p.replayedTimestamp(), p.replicationState(), p.upstream(),
        p.replication(), p.systemIdentifier(), p.serverVersion(), p.fencingToken(), p.pendingRestart(),
        p.cleanShutdown(), p.unknown(), Optional.of(pauseState));
    return status("n2", paused, "running", "replica", false, Optional.of(snapshot(false)),
        Optional.of(Instant.now()), tags(Map.of()), System.nanoTime());
  }

  /**
   * Issue 17, item 12: a running replica still on timeline 2 that replayed it to {@link #OPTIME}, far past
   * 50_331_800 where the cluster's history ends timeline 2 (after a point-in-time restore, or a failover to a replica
   * behind it): its LSN looks caught up, its data is the one the cluster's line branched away from.
   */
  static NodeStatus pastHistoryReplica() {
    PgState r = replicaPg(OPTIME, OPTIME, "in archive recovery");
    PgState onTimeline2 = new PgState(r.dataDir(), r.running(), r.pid(), r.postmasterStartTime(), r.role(), 2,
        r.walPosition(), r.receivedLsn(), r.replayedLsn(), r.replayedTimestamp(), r.replicationState(), r.upstream(),
        r.replication(), r.systemIdentifier(), r.serverVersion(), r.fencingToken(), false, false);
    return status("n2", onTimeline2, "running", "replica", false, Optional.of(snapshot(false)),
        Optional.of(Instant.now()), tags(Map.of()), System.nanoTime());
  }

  /**
   * Issue 17, item 12: a streaming replica on timeline 3, caught up, whose own history file says timeline 2 ended at
   * 50_000_000 where the cluster's history says 50_331_800: another fork's timeline 3.
   */
  static NodeStatus otherForkReplica() {
    PgState r = replicaPg(OPTIME, OPTIME, "streaming").withTimelineHistory(List.of(
        new TimelineSwitch(1, 25_165_984, "no recovery target specified"),
        new TimelineSwitch(2, 50_000_000, "no recovery target specified")));
    return status("n2", r, "running", "replica", false, Optional.of(snapshot(false)), Optional.of(Instant.now()),
        tags(Map.of()), System.nanoTime());
  }

  /**
   * Issue 11: a replica replaying timeline 4 while the leader's member key says timeline 3, not streaming (in archive
   * recovery, or {@code streaming} when {@code streams}): off the leader's line whatever history records, unless
   * it got there by streaming.
   */
  static NodeStatus laterTimelineReplica(boolean streams) {
    PgState r = replicaPg(OPTIME, OPTIME, streams ? "streaming" : "in archive recovery");
    PgState onTimeline4 = new PgState(r.dataDir(), r.running(), r.pid(), r.postmasterStartTime(), r.role(), 4,
        r.walPosition(), r.receivedLsn(), r.replayedLsn(), r.replayedTimestamp(), r.replicationState(), r.upstream(),
        r.replication(), r.systemIdentifier(), r.serverVersion(), r.fencingToken(), false, false);
    return status("n2", onTimeline4, "running", "replica", false, Optional.of(snapshot(false)),
        Optional.of(Instant.now()), tags(Map.of()), System.nanoTime());
  }

  /** A replica whose own history file agrees with the cluster's: on the leader's line. */
  static NodeStatus sameLineReplica() {
    PgState r = replicaPg(OPTIME, OPTIME, "streaming").withTimelineHistory(List.of(
        new TimelineSwitch(1, 25_165_984, "no recovery target specified"),
        new TimelineSwitch(2, 50_331_800, "no recovery target specified")));
    return status("n2", r, "running", "replica", false, Optional.of(snapshot(false)), Optional.of(Instant.now()),
        tags(Map.of()), System.nanoTime());
  }

  static NodeStatus archiveReplica() {
    return status("n2", replicaPg(OPTIME, OPTIME, "in archive recovery"), "running", "replica", false,
        Optional.of(snapshot(false)), Optional.of(Instant.now()), tags(Map.of()), System.nanoTime());
  }

  static NodeStatus syncReplica() {
    return status("n3", replicaPg(OPTIME, OPTIME, "streaming"), "running", "replica", false,
        Optional.of(snapshot(false)), Optional.of(Instant.now()), tags(Map.of()), System.nanoTime());
  }

  /** n3, a member of the sync key in a cluster running {@code synchronous_mode: quorum}: a quorum standby. */
  static NodeStatus quorumReplica() {
    ClusterSnapshot s = snapshot(false);
    Map<String, Object> raw = new LinkedHashMap<>(s.config().orElseThrow().value().raw());
    raw.put("synchronous_mode", "quorum");
    DynamicConfig q = new DynamicConfig(8, 1, 2, 1_048_576, 300, true, true, Map.of("max_connections", "100"),
        List.of(), raw);
    ClusterSnapshot quorum = new ClusterSnapshot(s.revision(), s.initialize(), Optional.of(new Versioned<>(q, 5)),
        s.leader(), s.members(), s.failover(), s.sync(), s.history(), s.status());
    return status("n3", replicaPg(OPTIME, OPTIME, "streaming"), "running", "replica", false,
        Optional.of(quorum), Optional.of(Instant.now()), tags(Map.of()), System.nanoTime());
  }

  static NodeStatus stopped() {
    return status("n2", PgState.stopped(PgState.DataDirState.INITIALIZED), "stopped", "replica", false,
        Optional.of(snapshot(false)), Optional.of(Instant.now()), tags(Map.of()), System.nanoTime());
  }

  /** Running replica that has never read the DCS. */
  static NodeStatus noSnapshot() {
    return status("n2", replicaPg(OPTIME, OPTIME, "streaming"), "running", "replica", false, Optional.empty(),
        Optional.empty(), tags(Map.of()), System.nanoTime());
  }

  /** PostgreSQL runs as a primary but the lock is someone else's (about to be demoted). */
  static NodeStatus primaryWithoutLock() {
    return status("n2", primaryPg(), "running", "primary", false, Optional.of(snapshot(false)),
        Optional.of(Instant.now()), tags(Map.of()), System.nanoTime());
  }

  /** A replica whose loop last finished 3 ttl ago and whose DCS view is a minute old. */
  static NodeStatus staleReplica(boolean paused) {
    return status("n2", replicaPg(OPTIME, OPTIME, "streaming"), "running", "replica", false,
        Optional.of(snapshot(paused)), Optional.of(Instant.now().minusSeconds(60)), tags(Map.of()),
        System.nanoTime() - Duration.ofSeconds(24).toNanos());
  }

  /** A primary whose loop last finished 12 s ago: more than ttl (8), less than 2*ttl. */
  static NodeStatus slowPrimary() {
    NodeStatus p = primary();
    return new NodeStatus(p.scope(), p.name(), p.pg(), p.state(), p.role(), p.holdsLock(), p.cluster(),
        p.dcsLastSeen(), p.message(), p.tags(), p.cycleAt(), System.nanoTime() - Duration.ofSeconds(12).toNanos(),
        p.cycles());
  }

  /** The same replica lag as {@link #slowPrimary()}: still live, since replicas get 2*ttl. */
  static NodeStatus slowReplica() {
    NodeStatus r = replica();
    return new NodeStatus(r.scope(), r.name(), r.pg(), r.state(), r.role(), r.holdsLock(), r.cluster(),
        r.dcsLastSeen(), r.message(), r.tags(), r.cycleAt(), System.nanoTime() - Duration.ofSeconds(12).toNanos(),
        r.cycles());
  }
}
