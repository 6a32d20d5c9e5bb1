package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStatus;
import io.pgquorum.coordinator.cluster.HistoryEntry;
import io.pgquorum.coordinator.cluster.Initialize;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.Tags;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.PgState.Role;
import io.pgquorum.coordinator.postgres.StopMode;
import io.pgquorum.coordinator.postgres.Upstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decision table: one row per branch of {@link Decider}, each a scenario (snapshot + local state + peers) with
 * the expected actions and message. Reads like the failover rules it pins down.
 */
class DeciderTest {
  static final String ME = "node1";
  static final long NOW = 1_000_000_000_000L;
  static final DynamicConfig DYN = new DynamicConfig(8, 1, 2, 1_048_576, 300, true, true, Map.of(), List.of(),
      Map.of());
  static final HaPolicy POLICY = new HaPolicy(ME, Tags.none(), DYN);
  static final Upstream NODE2 = new Upstream("node2", "127.0.0.1", 5433);

  static LeaseTerms terms(DynamicConfig d) {
    return LeaseTerms.of(d, io.pgquorum.dcs.planted.PlantedBugs.NONE);
  }

  static Action acquire() {
    return new Action.AcquireLock(DYN.ttlDuration(), terms(DYN));
  }

  static Action refresh(long token) {
    return new Action.RefreshLock(token, terms(DYN));
  }

  /** A scenario under construction. */
  static final class S {
    Optional<ClusterSnapshot> cluster = Optional.of(initialized());
    PgState pg = replica(1000, 1, "127.0.0.1:5433");
    Optional<Task> task = Optional.empty();
    Optional<String> failed = Optional.empty();
    OptionalLong deadline = OptionalLong.empty();
    boolean shutdown;
    HaPolicy policy = POLICY;
    Map<String, PeerView> peers = new HashMap<>();
    HaMemory memory = HaMemory.NONE;

    S with(UnaryOperator<S> f) {
      return f.apply(this);
    }

    LocalState local() {
      return new LocalState(pg, task, failed, deadline, shutdown, memory);
    }

    Decision decide() {
      return Decider.decide(cluster, local(), policy, peers, NOW);
    }
  }

  static final long SECOND = 1_000_000_000L;

  static DynamicConfig dyn(int ttl, int primaryStartTimeout) {
    return new DynamicConfig(ttl, 1, 2, 1_048_576, primaryStartTimeout, true, true, Map.of(), List.of(), Map.of());
  }

  static HaPolicy policy(DynamicConfig d) {
    return new HaPolicy(ME, Tags.none(), d);
  }

  static HaMemory startedSecondsAgo(long seconds) {
    return new HaMemory(OptionalLong.of(NOW - seconds * SECOND), 0);
  }

  static HaMemory unprobeableFor(int cycles) {
    return new HaMemory(OptionalLong.empty(), cycles);
  }

  /** A postmaster that is alive but does not accept connections yet (crash recovery, start-up). */
  static PgState starting() {
    PgState s = stopped();
    return new PgState(s.dataDir(), false, OptionalLong.of(4242), s.postmasterStartTime(), s.role(), 1, 900,
        s.receivedLsn(), s.replayedLsn(), s.replayedTimestamp(), s.replicationState(), s.upstream(),
        s.replication(), s.systemIdentifier(), 0, s.fencingToken(), false, false);
  }

  static final String UNREADABLE = "cannot read /pg/postmaster.pid: Permission denied";

  static PgState unknown() {
    return PgState.unknown(UNREADABLE);
  }

  static ClusterSnapshot withHistoryEntries(ClusterSnapshot c, long... endedTimelines) {
    List<HistoryEntry> h = new ArrayList<>();
    for (long t : endedTimelines) {
      h.add(new HistoryEntry(t, 100 * t, "no recovery target specified", Optional.empty(), Optional.of("node2")));
    }
    return new ClusterSnapshot(c.revision(), c.initialize(), c.config(), c.leader(), c.members(), c.failover(),
        c.sync(), h, c.status());
  }

  static ClusterSnapshot mine() {
    return withLeader(initialized(), ME, 7);
  }

  static ClusterSnapshot initialized() {
    return new ClusterSnapshot(10, Optional.of(new Initialize("7300000000000000001", 2, "node2")), Optional.empty(),
        Optional.empty(), Map.of(), Optional.empty(), Optional.empty(), List.of(), Optional.empty());
  }

  static ClusterSnapshot withLeader(ClusterSnapshot c, String leader, long token) {
    Map<String, Member> members = new HashMap<>(c.members());
    members.putIfAbsent(leader, member(leader, 5400 + leader.charAt(leader.length() - 1) - '0'));
    return new ClusterSnapshot(c.revision(), c.initialize(), c.config(),
        Optional.of(new LeaderLock(leader, token, token, Duration.ofSeconds(8))), members, c.failover(), c.sync(),
        c.history(), c.status());
  }

  static ClusterSnapshot withStatus(ClusterSnapshot c, long optime) {
    return new ClusterSnapshot(c.revision(), c.initialize(), c.config(), c.leader(), c.members(), c.failover(),
        c.sync(), c.history(), Optional.of(new ClusterStatus(optime, Map.of(), 5)));
  }

  static ClusterSnapshot withInitialize(ClusterSnapshot c, Optional<Initialize> init) {
    return new ClusterSnapshot(c.revision(), init, c.config(), c.leader(), c.members(), c.failover(), c.sync(),
        c.history(), c.status());
  }

  static ClusterSnapshot withHistory(ClusterSnapshot c, long timeline) {
    return new ClusterSnapshot(c.revision(), c.initialize(), c.config(), c.leader(), c.members(), c.failover(),
        c.sync(), List.of(new HistoryEntry(timeline, 100, "no recovery target specified", Optional.empty(),
            Optional.of("node2"))), c.status());
  }

  static ClusterSnapshot withMember(ClusterSnapshot c, String name) {
    Map<String, Member> members = new HashMap<>(c.members());
    members.put(name, member(name, 5400));
    return new ClusterSnapshot(c.revision(), c.initialize(), c.config(), c.leader(), members, c.failover(),
        c.sync(), c.history(), c.status());
  }

  static Member member(String name, int port) {
    return new Member(name, 3, "postgres://127.0.0.1:" + (name.equals("node2") ? 5433 : port) + "/postgres",
        "http://127.0.0.1:8008/patroni", "running", "replica", "0.1.0", OptionalLong.of(1000), 1,
        Optional.empty(), Map.of(), false, Map.of());
  }

  static PgState primary(long wal, int timeline) {
    return new PgState(DataDirState.INITIALIZED, true, OptionalLong.of(42), Optional.empty(), Role.PRIMARY,
        timeline, wal, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), List.of(), Optional.of("7300000000000000001"), 150010, OptionalLong.of(7), false, false);
  }

  static PgState replica(long wal, int timeline, String upstream) {
    return new PgState(DataDirState.INITIALIZED, true, OptionalLong.of(42), Optional.empty(), Role.REPLICA,
        timeline, wal, OptionalLong.of(wal), OptionalLong.of(wal), Optional.empty(), Optional.of("streaming"),
        Optional.ofNullable(upstream), List.of(), Optional.of("7300000000000000001"), 150010,
        OptionalLong.empty(), false, false);
  }

  /** {@code pg} waiting for WAL instead of streaming it. */
  static PgState notStreaming(PgState pg) {
    return new PgState(pg.dataDir(), pg.running(), pg.pid(), pg.postmasterStartTime(), pg.role(), pg.timeline(),
        pg.walPosition(), pg.receivedLsn(), pg.replayedLsn(), pg.replayedTimestamp(),
        Optional.of("in archive recovery"), pg.upstream(), pg.replication(), pg.systemIdentifier(),
        pg.serverVersion(), pg.fencingToken(), pg.pendingRestart(), pg.cleanShutdown());
  }

  static PgState stopped() {
    PgState s = PgState.stopped(DataDirState.INITIALIZED);
    return new PgState(s.dataDir(), false, s.pid(), s.postmasterStartTime(), s.role(), 1, 900, s.receivedLsn(),
        s.replayedLsn(), s.replayedTimestamp(), s.replicationState(), s.upstream(), s.replication(),
        Optional.of("7300000000000000001"), 0, s.fencingToken(), false, true);
  }

  static PeerView peer(String name, String role, long wal, int timeline, int priority) {
    return new PeerView(name, true, Optional.of(role), true, OptionalLong.of(wal), timeline, priority,
        priority <= 0);
  }

  static Tags tags(boolean nofailover, int priority) {
    return new Tags(nofailover, false, false, false, priority, Map.of());
  }

  static Arguments row(String scenario, UnaryOperator<S> setup, List<Action> actions, String message) {
    return Arguments.of(scenario, setup, actions, message);
  }

  static Stream<Arguments> table() {
    List<Arguments> rows = new ArrayList<>();
    // --- shutdown ---
    rows.add(row("SIGTERM on the leader: fast stop, publish where it ended, then release (no wait for expiry)",
        s -> { s.cluster = Optional.of(withLeader(initialized(), ME, 7)); s.pg = primary(5000, 1);
               s.shutdown = true; return s; },
        List.of(new Action.StopPostgres(StopMode.FAST), new Action.PublishLastPosition(1), new Action.ReleaseLock()),
        "shutting down: stopping PostgreSQL and releasing the leader lock"));
    rows.add(row("SIGTERM on a leader promoted a moment ago: its timeline into history before the handover",
        s -> { s.cluster = Optional.of(withLeader(initialized(), ME, 7)); s.pg = primary(5000, 2);
               s.shutdown = true; return s; },
        List.of(new Action.RecordHistory(2), new Action.StopPostgres(StopMode.FAST),
            new Action.PublishLastPosition(2), new Action.ReleaseLock()),
        "shutting down: stopping PostgreSQL and releasing the leader lock"));
    rows.add(row("SIGTERM on a replica: fast stop only",
        s -> { s.cluster = Optional.of(withLeader(initialized(), "node2", 7)); s.shutdown = true; return s; },
        List.of(new Action.StopPostgres(StopMode.FAST)), "shutting down: stopping PostgreSQL"));
    rows.add(row("SIGTERM with the DCS down while holding a lease: still try to release",
        s -> { s.cluster = Optional.empty(); s.pg = primary(5000, 1); s.deadline = OptionalLong.of(NOW + 1);
               s.shutdown = true; return s; },
        List.of(new Action.StopPostgres(StopMode.FAST), new Action.ReleaseLock()),
        "shutting down: stopping PostgreSQL and releasing the leader lock"));
    // --- DCS unreachable ---
    rows.add(row("DCS unreachable, primary, lease still valid: keep serving",
        s -> { s.cluster = Optional.empty(); s.pg = primary(5000, 1);
               s.deadline = OptionalLong.of(NOW + 3_000_000_000L); return s; },
        List.of(), "DCS is not accessible; I am (node1), the leader, and my lease stays valid for 3000 ms"));
    rows.add(row("DCS unreachable, primary, lease deadline reached: demote immediately",
        s -> { s.cluster = Optional.empty(); s.pg = primary(5000, 1); s.deadline = OptionalLong.of(NOW);
               return s; },
        List.of(new Action.Demote(StopMode.IMMEDIATE)),
        "demoted self because DCS is not accessible and I was a leader"));
    rows.add(row("DCS unreachable, primary without any lease (should not happen): demote",
        s -> { s.cluster = Optional.empty(); s.pg = primary(5000, 1); return s; },
        List.of(new Action.Demote(StopMode.IMMEDIATE)),
        "demoted self because DCS is not accessible and I was a leader"));
    rows.add(row("DCS unreachable, replica: keep replicating",
        s -> { s.cluster = Optional.empty(); return s; },
        List.of(), "DCS is not accessible; no action. I am (node1), a secondary, and wait for the DCS"));
    // --- long tasks ---
    rows.add(row("bootstrap running while holding the lock: keep refreshing",
        s -> { s.cluster = Optional.of(withLeader(initialized(), ME, 7)); s.task = Optional.of(Task.BOOTSTRAP);
               s.pg = PgState.stopped(DataDirState.EMPTY); return s; },
        List.of(refresh(7)), "bootstrap in progress"));
    rows.add(row("clone running on a replica: nothing else",
        s -> { s.cluster = Optional.of(withLeader(initialized(), "node2", 7)); s.task = Optional.of(Task.CLONE);
               s.pg = PgState.stopped(DataDirState.EMPTY); return s; },
        List.of(), "clone in progress"));
    rows.add(row("task running on a writable primary without the lock: demote",
        s -> { s.cluster = Optional.of(withLeader(initialized(), "node2", 7)); s.task = Optional.of(Task.REJOIN);
               s.pg = primary(10, 1); return s; },
        List.of(new Action.Demote(StopMode.IMMEDIATE)),
        "demoting self because rejoin is in progress and I do not hold the lock"));
    // --- sysid ---
    rows.add(row("data directory of another cluster: fatal",
        s -> { s.cluster = Optional.of(withInitialize(initialized(),
                 Optional.of(new Initialize("999", 2, "node2")))); return s; },
        List.of(new Action.Fatal("the data directory's database system identifier 7300000000000000001 does not "
            + "match the cluster's 999 (initialize key): this node's data belongs to another cluster. Remove or "
            + "move the data directory to let the node join as a new replica, or point it at the right scope")),
        "system ID mismatch"));
    // --- empty data directory ---
    rows.add(row("no cluster yet, empty data directory: race to bootstrap",
        s -> { s.cluster = Optional.of(ClusterSnapshot.empty(1)); s.pg = PgState.stopped(DataDirState.EMPTY);
               return s; },
        List.of(new Action.RaceInitialize(), acquire(), new Action.Bootstrap(FencingToken.acquired(), DYN)),
        "trying to bootstrap a new cluster"));
    rows.add(row("no cluster yet, missing data directory, nofailover: never bootstraps",
        s -> { s.cluster = Optional.of(ClusterSnapshot.empty(1)); s.pg = PgState.stopped(DataDirState.MISSING);
               s.policy = new HaPolicy(ME, tags(true, 1), DYN); return s; },
        List.of(), "waiting for leader to bootstrap (I am not allowed to bootstrap: nofailover)"));
    rows.add(row("another node is bootstrapping: wait",
        s -> { s.cluster = Optional.of(withInitialize(ClusterSnapshot.empty(1),
                 Optional.of(new Initialize("", 2, "node2")))); s.pg = PgState.stopped(DataDirState.EMPTY);
               return s; },
        List.of(), "waiting for leader to bootstrap"));
    rows.add(row("our own bootstrap failed: give the race back",
        s -> { s.cluster = Optional.of(withLeader(withInitialize(ClusterSnapshot.empty(1),
                 Optional.of(new Initialize("", 2, ME))), ME, 3)); s.pg = PgState.stopped(DataDirState.EMPTY);
               s.failed = Optional.of("initdb failed"); return s; },
        List.of(new Action.CancelInitialize(), new Action.ReleaseLock()),
        "removing initialize key after failed attempt to bootstrap the cluster: initdb failed"));
    rows.add(row("we won the race but restarted mid-bootstrap: give the race back",
        s -> { s.cluster = Optional.of(withInitialize(ClusterSnapshot.empty(1),
                 Optional.of(new Initialize("", 2, ME)))); s.pg = PgState.stopped(DataDirState.EMPTY); return s; },
        List.of(new Action.CancelInitialize()),
        "removing initialize key after failed attempt to bootstrap the cluster: bootstrap was interrupted"));
    rows.add(row("cluster exists with a leader, empty data directory: clone from the leader",
        s -> { s.cluster = Optional.of(withLeader(initialized(), "node2", 7));
               s.pg = PgState.stopped(DataDirState.EMPTY); return s; },
        List.of(new Action.CloneReplica(NODE2)), "trying to bootstrap from leader 'node2'"));
    rows.add(row("cluster exists, no leader, empty data directory: wait",
        s -> { s.pg = PgState.stopped(DataDirState.EMPTY); return s; },
        List.of(), "waiting for leader to bootstrap"));
    rows.add(row("we hold the lock but lost our data directory: release",
        s -> { s.cluster = Optional.of(withLeader(initialized(), ME, 7));
               s.pg = PgState.stopped(DataDirState.EMPTY); return s; },
        List.of(new Action.ReleaseLock()), "releasing the leader lock: I hold it but have no data directory"));
    rows.add(row("a data directory holding files pgquorum did not create: never bootstrap into it",
        s -> { s.cluster = Optional.of(ClusterSnapshot.empty(1)); s.pg = PgState.stopped(DataDirState.NOT_EMPTY);
               return s; },
        List.of(), "waiting: postgresql.data_dir is not empty and holds no PostgreSQL cluster; point it at an "
            + "empty or missing directory (pgquorum never writes into, deletes or moves files it did not create)"));
    rows.add(row("a data directory holding foreign files after winning the bootstrap race: give the race back",
        s -> { s.cluster = Optional.of(withLeader(withInitialize(ClusterSnapshot.empty(1),
                 Optional.of(new Initialize("", 2, ME))), ME, 3)); s.pg = PgState.stopped(DataDirState.NOT_EMPTY);
               return s; },
        List.of(new Action.CancelInitialize(), new Action.ReleaseLock()), "waiting: postgresql.data_dir is not "
            + "empty and holds no PostgreSQL cluster; point it at an empty or missing directory (pgquorum never "
            + "writes into, deletes or moves files it did not create); releasing the leader lock"));
    rows.add(row("a data directory holding foreign files while holding the lock: release it",
        s -> { s.cluster = Optional.of(withLeader(initialized(), ME, 7));
               s.pg = PgState.stopped(DataDirState.NOT_EMPTY); return s; },
        List.of(new Action.ReleaseLock()), "waiting: postgresql.data_dir is not empty and holds no PostgreSQL "
            + "cluster; point it at an empty or missing directory (pgquorum never writes into, deletes or moves "
            + "files it did not create); releasing the leader lock"));
    // --- holding the lock ---
    rows.add(row("leader with the lock: refresh, publish, record sysid and config, slots for the others",
        s -> { s.cluster = Optional.of(withMember(withLeader(withInitialize(ClusterSnapshot.empty(1),
                 Optional.of(new Initialize("", 2, ME))), ME, 7), "node-3"));
               s.pg = primary(5000, 1); return s; },
        List.of(refresh(7), new Action.PublishStatus(5000),
            new Action.RecordInitialize("7300000000000000001"), new Action.SeedConfig(DYN),
            new Action.SyncSlots(Set.of("node_3"))),
        "no action. I am (node1), the leader with the lock"));
    rows.add(row("lock held, PostgreSQL still a replica (promotion interrupted): promote",
        s -> { s.cluster = Optional.of(withLeader(initialized(), ME, 7)); return s; },
        List.of(refresh(7), new Action.Promote(FencingToken.held(7))),
        "promoted self to leader because I had the session lock"));
    rows.add(row("lock held, PostgreSQL stopped (crash): restart as primary after refreshing",
        s -> { s.cluster = Optional.of(withLeader(initialized(), ME, 7)); s.pg = stopped(); return s; },
        List.of(refresh(7), new Action.StartPrimary(FencingToken.held(7))), "starting primary after failure"));
    // --- someone else holds the lock ---
    rows.add(row("running primary without the lock (lost it): immediate demotion",
        s -> { s.cluster = Optional.of(withLeader(initialized(), "node2", 9)); s.pg = primary(5000, 1); return s; },
        List.of(new Action.Demote(StopMode.IMMEDIATE)),
        "demoting self because I do not have the lock and I was a leader"));
    rows.add(row("replica following the leader: nothing to do",
        s -> { s.cluster = Optional.of(withLeader(initialized(), "node2", 9)); return s; },
        List.of(), "no action. I am (node1), a secondary, and following a leader (node2)"));
    rows.add(row("replica without an upstream (started while leaderless, e.g. a demoted primary): stop to check it"
        + " against the new leader first",
        s -> { s.cluster = Optional.of(withLeader(initialized(), "node2", 9));
               s.pg = replica(1000, 1, null); return s; },
        List.of(new Action.StopPostgres(StopMode.FAST)),
        "stopping PostgreSQL, running without an upstream, to check it against the new leader (node2) before"
            + " following it"));
    rows.add(row("replica following the old primary: re-point",
        s -> { s.cluster = Optional.of(withLeader(initialized(), "node2", 9));
               s.pg = replica(1000, 1, "127.0.0.1:5999"); return s; },
        List.of(new Action.Follow(NODE2)),
        "changing primary_conninfo and reloading to follow new leader (node2)"));
    rows.add(row("stopped former primary with a new leader: rejoin (rewind if diverged)",
        s -> { s.cluster = Optional.of(withLeader(initialized(), "node2", 9)); s.pg = stopped(); return s; },
        List.of(new Action.Rejoin(Optional.of(NODE2), Divergence.decide(NODE2, POLICY))),
        "starting as a secondary following leader (node2)"));
    // --- leader race ---
    rows.add(row("unlocked, healthiest replica: acquire, promote, publish",
        s -> { s.cluster = Optional.of(withStatus(initialized(), 1000));
               s.peers.put("node3", peer("node3", "replica", 900, 1, 1)); return s; },
        List.of(acquire(), new Action.Promote(FencingToken.acquired())),
        "promoted self to leader by acquiring session lock"));
    rows.add(row("unlocked, a peer is ahead: follow",
        s -> { s.peers.put("node3", peer("node3", "replica", 2000, 1, 1)); return s; },
        List.of(), "following a different leader because I am not the healthiest node: node3 has a later WAL "
            + "position (2000 > 1000)"));
    rows.add(row("unlocked, a peer ahead but nofailover: it does not count",
        s -> { s.peers.put("node3", peer("node3", "replica", 2000, 1, 0)); return s; },
        List.of(acquire(), new Action.Promote(FencingToken.acquired())),
        "promoted self to leader by acquiring session lock"));
    rows.add(row("unlocked, a peer ahead but unreachable: it does not block failover",
        s -> { s.peers.put("node3", PeerView.unreachable("node3")); return s; },
        List.of(acquire(), new Action.Promote(FencingToken.acquired())),
        "promoted self to leader by acquiring session lock"));
    rows.add(row("unlocked, same WAL, peer has higher failover_priority: follow",
        s -> { s.peers.put("node3", peer("node3", "replica", 1000, 1, 5)); return s; },
        List.of(), "following a different leader because I am not the healthiest node: node3 has the same WAL "
            + "position and a higher failover_priority"));
    rows.add(row("unlocked, a peer still runs as primary: follow",
        s -> { s.peers.put("node3", peer("node3", "primary", 10, 1, 1)); return s; },
        List.of(), "following a different leader because I am not the healthiest node: node3 is running as a "
            + "primary"));
    rows.add(row("unlocked, too far behind the last leader position: follow",
        s -> { s.cluster = Optional.of(withStatus(initialized(), 1000 + 2_000_000)); return s; },
        List.of(), "following a different leader because I am not the healthiest node: my WAL position 1000 "
            + "lags the last known leader position 2001000 by 2000000 bytes (maximum_lag_on_failover 1048576)"));
    rows.add(row("unlocked, timeline behind history: follow",
        s -> { s.cluster = Optional.of(withHistory(initialized(), 3)); return s; },
        List.of(), "following a different leader because I am not the healthiest node: my timeline 1 is "
            + "behind the cluster's 4"));
    rows.add(row("unlocked, nofailover replica: never races",
        s -> { s.policy = new HaPolicy(ME, tags(true, 1), DYN); return s; },
        List.of(), "following a different leader because I am not allowed to promote"));
    rows.add(row("unlocked, failover_priority 0 replica: never races",
        s -> { s.policy = new HaPolicy(ME, tags(false, 0), DYN); return s; },
        List.of(), "following a different leader because I am not allowed to promote"));
    rows.add(row("unlocked, we are still a running primary (lock expired): take it back",
        s -> { s.pg = primary(5000, 1); return s; },
        List.of(acquire(), new Action.PublishStatus(5000)), "acquired session lock as a leader"));
    rows.add(row("unlocked, stopped node: start read-only first, race next cycle",
        s -> { s.pg = stopped(); return s; },
        List.of(new Action.Rejoin(Optional.empty(), Divergence.NOT_CHECKED)),
        "starting as a secondary: the cluster has no leader"));
    // --- issue 10, hole 1: the stored ttl and the configured one ---
    rows.add(row("leader with the lock after the operator raised ttl: re-arm the key with it (not a refresh)",
        s -> { s.cluster = Optional.of(mine()); s.pg = primary(5000, 1); s.policy = policy(dyn(30, 300));
               return s; },
        List.of(new Action.RearmLock(7, Duration.ofSeconds(30), terms(dyn(30, 300))), new Action.PublishStatus(5000),
            new Action.SeedConfig(dyn(30, 300)), new Action.SyncSlots(Set.of())),
        "no action. I am (node1), the leader with the lock"));
    rows.add(row("a long task while holding the lock after a ttl change: re-arm too",
        s -> { s.cluster = Optional.of(mine()); s.task = Optional.of(Task.BOOTSTRAP);
               s.pg = PgState.stopped(DataDirState.EMPTY); s.policy = policy(dyn(16, 300)); return s; },
        List.of(new Action.RearmLock(7, Duration.ofSeconds(16), terms(dyn(16, 300)))), "bootstrap in progress"));
    // --- issue 10, hole 6: history and (timeline, LSN) pairs ---
    rows.add(row("primary on timeline 2, history lacks the switch: record it before publishing status",
        s -> { s.cluster = Optional.of(mine()); s.pg = primary(5000, 2); return s; },
        List.of(refresh(7), new Action.RecordHistory(2), new Action.PublishStatus(5000),
            new Action.SeedConfig(DYN), new Action.SyncSlots(Set.of())),
        "no action. I am (node1), the leader with the lock"));
    rows.add(row("primary on timeline 3, history records only 1 -> 2: record again",
        s -> { s.cluster = Optional.of(withHistoryEntries(mine(), 1)); s.pg = primary(5000, 3); return s; },
        List.of(refresh(7), new Action.RecordHistory(3), new Action.PublishStatus(5000),
            new Action.SeedConfig(DYN), new Action.SyncSlots(Set.of())),
        "no action. I am (node1), the leader with the lock"));
    rows.add(row("primary on timeline 2, history records it: nothing to record",
        s -> { s.cluster = Optional.of(withHistoryEntries(mine(), 1)); s.pg = primary(5000, 2); return s; },
        List.of(refresh(7), new Action.PublishStatus(5000), new Action.SeedConfig(DYN),
            new Action.SyncSlots(Set.of())),
        "no action. I am (node1), the leader with the lock"));
    rows.add(row("unlocked, history says timeline 1 ended: a replica still on timeline 1 is behind",
        s -> { s.cluster = Optional.of(withHistoryEntries(initialized(), 1)); return s; },
        List.of(), "following a different leader because I am not the healthiest node: my timeline 1 is "
            + "behind the cluster's 2"));
    rows.add(row("unlocked, on the old timeline far past status.optime: the timeline decides, not the LSN",
        s -> { s.cluster = Optional.of(withStatus(withHistoryEntries(initialized(), 1), 1000));
               s.pg = replica(9_000_000, 1, null); return s; },
        List.of(), "following a different leader because I am not the healthiest node: my timeline 1 is "
            + "behind the cluster's 2"));
    rows.add(row("unlocked, a peer on an older timeline with a larger LSN is not ahead",
        s -> { s.pg = replica(1000, 2, null); s.peers.put("node3", peer("node3", "replica", 5000, 1, 1)); return s; },
        List.of(acquire(), new Action.Promote(FencingToken.acquired())),
        "promoted self to leader by acquiring session lock"));
    rows.add(row("unlocked, a peer on a newer timeline with a smaller LSN is ahead",
        s -> { s.peers.put("node3", peer("node3", "replica", 500, 2, 1)); return s; },
        List.of(), "following a different leader because I am not the healthiest node: node3 is on a later "
            + "timeline (2 > 1)"));
    rows.add(row("following the leader, replayed timeline 1 past where history ends it, not streaming: stop "
            + "to rewind",
        s -> { s.cluster = Optional.of(withLeader(withHistoryEntries(initialized(), 1), "node2", 9));
               s.pg = notStreaming(replica(500, 1, "127.0.0.1:5433")); return s; },
        List.of(new Action.StopPostgres(StopMode.FAST)),
        "stopping PostgreSQL: it replayed timeline 1 to 500, past where the cluster's history ends that timeline "
            + "(100); it must be rewound before it can follow the leader (node2)"));
    rows.add(row("following the leader, replayed timeline 1 exactly to where history ends it: it can switch",
        s -> { s.cluster = Optional.of(withLeader(withHistoryEntries(initialized(), 1), "node2", 9));
               s.pg = notStreaming(replica(100, 1, "127.0.0.1:5433")); return s; },
        List.of(), "no action. I am (node1), a secondary, and following a leader (node2)"));
    rows.add(row("following the leader, timeline 1 past its end but streaming: PostgreSQL streams only what it "
            + "can replay, so leave it",
        s -> { s.cluster = Optional.of(withLeader(withHistoryEntries(initialized(), 1), "node2", 9));
               s.pg = replica(500, 1, "127.0.0.1:5433"); return s; },
        List.of(), "no action. I am (node1), a secondary, and following a leader (node2)"));
    rows.add(row("following the leader on timeline 2 past the end of timeline 1: a healthy replica",
        s -> { s.cluster = Optional.of(withLeader(withHistoryEntries(initialized(), 1), "node2", 9));
               s.pg = notStreaming(replica(500, 2, "127.0.0.1:5433")); return s; },
        List.of(), "no action. I am (node1), a secondary, and following a leader (node2)"));
    // --- issue 10, hole 2: long starts, primary_start_timeout, unprobeable PostgreSQL ---
    rows.add(row("lock held, promotion runs as a task: keep refreshing",
        s -> { s.cluster = Optional.of(mine()); s.task = Optional.of(Task.PROMOTE); return s; },
        List.of(refresh(7)), "promote in progress"));
    rows.add(row("lock held, start task running, within primary_start_timeout: keep the lock",
        s -> { s.cluster = Optional.of(mine()); s.task = Optional.of(Task.START_PRIMARY);
               s.pg = stopped(); s.memory = startedSecondsAgo(10); return s; },
        List.of(refresh(7)), "PostgreSQL is still starting up, 290 seconds until timeout"));
    rows.add(row("lock held, start task running past primary_start_timeout, a healthy replica: stop it, keep "
            + "the lock until the task ended",
        s -> { s.cluster = Optional.of(mine()); s.task = Optional.of(Task.START_PRIMARY);
               s.pg = stopped(); s.memory = startedSecondsAgo(300);
               s.peers.put("node2", peer("node2", "replica", 1000, 1, 1)); return s; },
        List.of(new Action.Demote(StopMode.IMMEDIATE)), "stopping PostgreSQL because of startup timeout "
            + "(primary_start_timeout 300 s); the lock is released once the start has ended"));
    rows.add(row("lock held, start past primary_start_timeout, nobody could take over: keep waiting",
        s -> { s.cluster = Optional.of(mine()); s.task = Optional.of(Task.START_PRIMARY);
               s.pg = stopped(); s.memory = startedSecondsAgo(400);
               s.peers.put("node2", PeerView.unreachable("node2"));
               s.peers.put("node3", peer("node3", "replica", 1000, 1, 0)); return s; },
        List.of(refresh(7)),
        "primary start has timed out, but continuing to wait because failover is not possible"));
    rows.add(row("lock held, start past primary_start_timeout, the only replica lags beyond maximum_lag: wait",
        s -> { s.cluster = Optional.of(withStatus(mine(), 10_000_000)); s.task = Optional.of(Task.START_PRIMARY);
               s.pg = stopped(); s.memory = startedSecondsAgo(400);
               s.peers.put("node2", peer("node2", "replica", 1000, 1, 1)); return s; },
        List.of(refresh(7)),
        "primary start has timed out, but continuing to wait because failover is not possible"));
    rows.add(row("lock held, start past the timeout, the only replica is on an older timeline: wait",
        s -> { s.cluster = Optional.of(withHistoryEntries(mine(), 1)); s.task = Optional.of(Task.START_PRIMARY);
               s.pg = stopped(); s.memory = startedSecondsAgo(400);
               s.peers.put("node2", peer("node2", "replica", 1000, 1, 1)); return s; },
        List.of(refresh(7)),
        "primary start has timed out, but continuing to wait because failover is not possible"));
    rows.add(row("lock held, postmaster alive but not accepting connections (no task): the same timeout",
        s -> { s.cluster = Optional.of(mine()); s.pg = starting(); s.memory = startedSecondsAgo(5); return s; },
        List.of(refresh(7)), "PostgreSQL is still starting up, 295 seconds until timeout"));
    rows.add(row("lock held, postmaster still starting past the timeout, a healthy replica: fail over",
        s -> { s.cluster = Optional.of(mine()); s.pg = starting(); s.memory = startedSecondsAgo(301);
               s.peers.put("node2", peer("node2", "replica", 1000, 1, 1)); return s; },
        List.of(new Action.Demote(StopMode.IMMEDIATE), new Action.ReleaseLock()),
        "stopped PostgreSQL because of startup timeout (primary_start_timeout 300 s)"));
    rows.add(row("lock held, our start failed outright (bad parameter): release the lock (Patroni's post_recover)",
        s -> { s.cluster = Optional.of(mine()); s.pg = stopped();
               s.failed = Optional.of("start primary failed: start primary failed (pg_ctl exit 1)"); return s; },
        List.of(new Action.ReleaseLock()), "removed leader key after trying and failing to start postgres: "
            + "start primary failed: start primary failed (pg_ctl exit 1)"));
    rows.add(row("lock held, crashed, primary_start_timeout 0 and a healthy replica: fail over at once",
        s -> { s.cluster = Optional.of(mine()); s.pg = stopped(); s.policy = policy(dyn(8, 0));
               s.peers.put("node2", peer("node2", "replica", 1000, 1, 1)); return s; },
        List.of(new Action.ReleaseLock()),
        "stopped PostgreSQL to fail over after a crash (primary_start_timeout is 0)"));
    rows.add(row("lock held, crashed, primary_start_timeout 0 but nobody could take over: restart",
        s -> { s.cluster = Optional.of(mine()); s.pg = stopped(); s.policy = policy(dyn(8, 0)); return s; },
        List.of(refresh(7), new Action.StartPrimary(FencingToken.held(7))), "starting primary after failure"));
    rows.add(row("lock held, PostgreSQL cannot be probed, first cycle: keep the lock, start nothing",
        s -> { s.cluster = Optional.of(mine()); s.pg = unknown(); return s; },
        List.of(refresh(7)), "PostgreSQL could not be probed (" + UNREADABLE
            + "); keeping the leader lock for 2 more cycle(s) before failing over"));
    rows.add(row("lock held, PostgreSQL cannot be probed for 3 cycles: stop it, then release (no refresh)",
        s -> { s.cluster = Optional.of(mine()); s.pg = unknown(); s.memory = unprobeableFor(2); return s; },
        List.of(new Action.Demote(StopMode.IMMEDIATE), new Action.ReleaseLock()),
        "demoting self because PostgreSQL could not be probed for 3 cycles (" + UNREADABLE
            + "): stopping it and releasing the leader lock so a healthy replica takes over"));
    rows.add(row("no lock, PostgreSQL cannot be probed: never start one next to it",
        s -> { s.cluster = Optional.of(withLeader(initialized(), "node2", 9)); s.pg = unknown(); return s; },
        List.of(), "no action: PostgreSQL could not be probed (" + UNREADABLE + "); I do not hold the lock"));
    rows.add(row("unlocked, PostgreSQL cannot be probed: no race, no start",
        s -> { s.pg = unknown(); return s; },
        List.of(), "no action: PostgreSQL could not be probed (" + UNREADABLE + "); I do not hold the lock"));
    rows.add(row("no lock, PostgreSQL cannot be probed for 3 cycles: stop it (it may be a primary)",
        s -> { s.cluster = Optional.of(withLeader(initialized(), "node2", 9)); s.pg = unknown();
               s.memory = unprobeableFor(5); return s; },
        List.of(new Action.Demote(StopMode.IMMEDIATE)), "stopping PostgreSQL: it could not be probed for 6 cycles ("
            + UNREADABLE + ") and may be running as a primary without the lock"));
    rows.add(row("replica whose postmaster is still starting up: wait, never start a second one",
        s -> { s.cluster = Optional.of(withLeader(initialized(), "node2", 9)); s.pg = starting(); return s; },
        List.of(), "no action. I am (node1), a secondary, and PostgreSQL is still starting up"));
    rows.add(row("unlocked, postmaster still starting up: wait",
        s -> { s.pg = starting(); return s; },
        List.of(), "no action: PostgreSQL is still starting up; the cluster has no leader"));
    return rows.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decides(String scenario, UnaryOperator<S> setup, List<Action> actions, String message) {
    Decision d = setup.apply(new S()).decide();
    assertThat(d.actions()).as(scenario).isEqualTo(actions);
    assertThat(d.message()).as(scenario).isEqualTo(message);
  }

  // ---- what the decision remembers (HaMemory) ----

  @Test
  void aStartAttemptRemembersWhenItBeganAndKeepsThatTimeWhileItLasts() {
    S s = new S().with(x -> { x.cluster = Optional.of(mine()); x.pg = stopped(); return x; });
    Decision first = s.decide();
    assertThat(first.actions()).containsExactly(refresh(7), new Action.StartPrimary(FencingToken.held(7)));
    assertThat(first.memory().primaryStartSinceNanos()).hasValue(NOW);
    // Next cycles: the task runs, then the postmaster is alive but still recovering; the clock is not reset.
    s.memory = first.memory();
    s.task = Optional.of(Task.START_PRIMARY);
    assertThat(s.decide().memory().primaryStartSinceNanos()).hasValue(NOW);
    s.task = Optional.empty();
    s.pg = starting();
    assertThat(s.decide().memory().primaryStartSinceNanos()).hasValue(NOW);
    // A DCS blip does not reset it either.
    s.cluster = Optional.empty();
    s.deadline = OptionalLong.of(NOW + SECOND);
    assertThat(s.decide().memory().primaryStartSinceNanos()).hasValue(NOW);
    // Up as primary: forgotten.
    s.cluster = Optional.of(mine());
    s.pg = primary(5000, 1);
    assertThat(s.decide().memory().primaryStartSinceNanos()).isEmpty();
  }

  @Test
  void unprobeableCyclesAreCountedOutsideTasksAndResetByAGoodProbe() {
    S s = new S().with(x -> { x.cluster = Optional.of(mine()); x.pg = unknown(); return x; });
    for (int expected = 1; expected <= 3; expected++) {
      Decision d = s.decide();
      assertThat(d.memory().unprobeableCycles()).isEqualTo(expected);
      s.memory = d.memory();
    }
    assertThat(s.decide().actions()).containsExactly(new Action.Demote(StopMode.IMMEDIATE),
        new Action.ReleaseLock());
    s.task = Optional.of(Task.START_PRIMARY);
    assertThat(s.decide().memory().unprobeableCycles()).as("not counted while a task runs").isZero();
    s.task = Optional.empty();
    s.pg = primary(5000, 1);
    assertThat(s.decide().memory().unprobeableCycles()).isZero();
  }

  @Test
  void theHolderAsksItsPeersOnlyOnceItsPostgresIsOverdue() {
    HaPolicy p = POLICY;
    Optional<ClusterSnapshot> c = Optional.of(mine());
    java.util.function.BiFunction<PgState, Optional<Task>, LocalState> overdue = (pg, task) ->
        new LocalState(pg, task, Optional.empty(), OptionalLong.empty(), false, startedSecondsAgo(300));
    assertThat(Decider.needsPeerViews(c, overdue.apply(stopped(), Optional.empty()), p, NOW)).isTrue();
    assertThat(Decider.needsPeerViews(c, overdue.apply(starting(), Optional.empty()), p, NOW)).isTrue();
    assertThat(Decider.needsPeerViews(c, overdue.apply(stopped(), Optional.of(Task.START_PRIMARY)), p, NOW))
        .isTrue();
    assertThat(Decider.needsPeerViews(c, LocalState.of(starting()), p, NOW)).as("not overdue yet").isFalse();
    assertThat(Decider.needsPeerViews(c, LocalState.of(stopped()), policy(dyn(8, 0)), NOW)).as("timeout 0")
        .isTrue();
    assertThat(Decider.needsPeerViews(c, overdue.apply(primary(5000, 1), Optional.empty()), p, NOW)).isFalse();
    assertThat(Decider.needsPeerViews(c, overdue.apply(unknown(), Optional.empty()), p, NOW)).isFalse();
    assertThat(Decider.needsPeerViews(c, overdue.apply(stopped(), Optional.of(Task.BOOTSTRAP)), p, NOW)).isFalse();
  }

  @Test
  void positionsCompareByTimelineFirst() {
    assertThat(Decider.comparePositions(2, 100, 1, 5000)).isPositive();
    assertThat(Decider.comparePositions(1, 5000, 2, 100)).isNegative();
    assertThat(Decider.comparePositions(2, 100, 2, 50)).isPositive();
    assertThat(Decider.comparePositions(0, 100, 2, 50)).as("unknown timeline: LSN only").isPositive();
  }
}
