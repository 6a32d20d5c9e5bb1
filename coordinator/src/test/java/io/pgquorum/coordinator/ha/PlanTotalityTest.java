package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.ClusterStatus;
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
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The decisions that used to be taken while performing a plan, now taken by the pure layer and carried in it: the
 * member key (write, skip or delete, and its fields), which peers to ask, and (further down) the executor's former
 * policy. Self-contained fixtures, so these survive changes to {@code DeciderTest}.
 */
class PlanTotalityTest {
  static final String ME = "node1";
  static final long SEC = 1_000_000_000L;
  static final long NOW = 1_000 * SEC;
  /** ttl 9 (a third: 3 s), loop_wait 1, retry_timeout 2. */
  static final DynamicConfig DYN = new DynamicConfig(9, 1, 2, 1_048_576, 300, false, true, Map.of(), List.of(),
      Map.of());
  static final NodeSettings NODE = new NodeSettings("postgres://10.0.0.1:5432/postgres",
      "http://10.0.0.1:8008/patroni", false, Optional.empty(), false, false, DYN);
  static final HaPolicy POLICY = new HaPolicy(ME, Tags.none(), DYN, PlantedBugs.NONE, NODE);

  static Member member(String name, long revision, String apiUrl) {
    return new Member(name, revision, "postgres://10.0.0.9:5432/postgres", apiUrl, "running", "replica", "0.1.0",
        OptionalLong.of(1000), 1, Optional.empty(), Map.of(), false, Map.of());
  }

  static ClusterSnapshot cluster(Optional<LeaderLock> leader, Member... members) {
    Map<String, Member> m = new LinkedHashMap<>();
    for (Member x : members) {
      m.put(x.name(), x);
    }
    return new ClusterSnapshot(10, Optional.of(new Initialize("7300000000000000001", 2, "node2")), Optional.empty(),
        leader, m, Optional.empty(), Optional.empty(), List.of(), Optional.empty());
  }

  static LeaderLock lock(String holder, long token) {
    return new LeaderLock(holder, token, token, Duration.ofSeconds(9));
  }

  static PgState replica(long wal, String replicationState) {
    return new PgState(DataDirState.INITIALIZED, true, OptionalLong.of(42), Optional.empty(), Role.REPLICA, 3, wal,
        OptionalLong.of(wal), OptionalLong.of(wal), Optional.empty(), Optional.of(replicationState),
        Optional.of("10.0.0.2:5432"), List.of(), Optional.of("7300000000000000001"), 150010, OptionalLong.empty(),
        false, false);
  }

  // ---- the member key: the publishing step ----

  @Test
  void theFirstCycleWritesTheMemberKeyWithPatronisFieldsInOrder() {
    Publication p = Publication.plan(Optional.of(cluster(Optional.empty())), replica(1000, "streaming"),
        Optional.empty(), false, POLICY, MemberKeyRefresh.NONE, NOW);
    assertThat(p.state()).as("REST state of a streaming replica").isEqualTo("streaming");
    assertThat(p.role()).isEqualTo("replica");
    Action.WriteMemberKey w = (Action.WriteMemberKey) p.memberKey().orElseThrow();
    assertThat(w.ttl()).isEqualTo(Duration.ofSeconds(9));
    assertThat(w.fields()).containsExactly(
        Map.entry("conn_url", "postgres://10.0.0.1:5432/postgres"),
        Map.entry("api_url", "http://10.0.0.1:8008/patroni"),
        Map.entry("state", "running"),
        Map.entry("role", "replica"),
        Map.entry("version", "0.1.0"),
        Map.entry("xlog_location", 1000L),
        Map.entry("timeline", 3),
        Map.entry("replication_state", "streaming"));
  }

  @Test
  void anUnchangedKeyThatTheSnapshotShowsIsRewrittenOnlyAtAThirdOfItsTtl() {
    PgState pg = replica(1000, "streaming");
    Publication first = Publication.plan(Optional.of(cluster(Optional.empty())), pg, Optional.empty(), false,
        POLICY, MemberKeyRefresh.NONE, NOW);
    MemberKeyRefresh remembered = first.advance(OptionalLong.of(77));
    Optional<ClusterSnapshot> seen = Optional.of(cluster(Optional.empty(), member(ME, 77, "x")));

    Publication idle = Publication.plan(seen, pg, Optional.empty(), false, POLICY, remembered, NOW + SEC);
    assertThat(idle.memberKey()).as("1 s later, next cycle at 2 s < 3 s").isEmpty();
    assertThat(idle.advance(OptionalLong.empty())).as("nothing planned: nothing forgotten").isEqualTo(remembered);
    assertThat(Publication.plan(seen, pg, Optional.empty(), false, POLICY, remembered, NOW + 2 * SEC).memberKey())
        .as("next cycle would be at 3 s").isPresent();
    assertThat(Publication.plan(Optional.of(cluster(Optional.empty(), member(ME, 78, "x"))), pg, Optional.empty(),
        false, POLICY, remembered, NOW + SEC).memberKey()).as("someone else's revision").isPresent();
    assertThat(Publication.plan(seen, replica(1001, "streaming"), Optional.empty(), false, POLICY, remembered,
        NOW + SEC).memberKey()).as("a new position is published at once").isPresent();
  }

  @Test
  void aFailedWriteIsRetriedNextCycle() {
    PgState pg = replica(1000, "streaming");
    Optional<ClusterSnapshot> seen = Optional.of(cluster(Optional.empty(), member(ME, 77, "x")));
    MemberKeyRefresh written = Publication.plan(seen, pg, Optional.empty(), false, POLICY, MemberKeyRefresh.NONE,
        NOW).advance(OptionalLong.of(77));
    Publication again = Publication.plan(Optional.of(cluster(Optional.empty())), pg, Optional.empty(), false,
        POLICY, written, NOW + SEC);
    assertThat(again.memberKey()).as("the key vanished from the snapshot").isPresent();
    MemberKeyRefresh failed = again.advance(OptionalLong.empty());
    assertThat(Publication.plan(seen, pg, Optional.empty(), false, POLICY, failed, NOW + SEC).memberKey())
        .isPresent();
  }

  @Test
  void aCleanShutdownDeletesTheKeyEvenWithoutASnapshotAndAnUnreadableDcsWritesNothing() {
    PgState stopped = PgState.stopped(DataDirState.INITIALIZED);
    Publication bye = Publication.plan(Optional.empty(), stopped, Optional.empty(), true, POLICY,
        MemberKeyRefresh.NONE.written(Map.of("a", 1), Duration.ofSeconds(9), 5, NOW), NOW);
    assertThat(bye.memberKey()).contains(new Action.DeleteMemberKey());
    assertThat(bye.advance(OptionalLong.empty()).lastFields()).isEmpty();
    assertThat(Publication.plan(Optional.empty(), stopped, Optional.empty(), false, POLICY, MemberKeyRefresh.NONE,
        NOW).memberKey()).isEmpty();
  }

  @Test
  void aRunningTaskNamesTheStateAndTagsAndPendingRestartArePublished() {
    PgState empty = PgState.stopped(DataDirState.EMPTY);
    Optional<ClusterSnapshot> c = Optional.of(cluster(Optional.of(lock("node2", 7))));
    Publication clone = Publication.plan(c, empty, Optional.of(Task.CLONE), false, POLICY, MemberKeyRefresh.NONE,
        NOW);
    assertThat(clone.state()).isEqualTo("creating replica");
    assertThat(clone.role()).isEqualTo("uninitialized");
    assertThat(((Action.WriteMemberKey) clone.memberKey().orElseThrow()).fields())
        .containsEntry("state", "creating replica").doesNotContainKeys("xlog_location", "timeline");

    Tags tagged = new Tags(false, true, false, false, 3, Map.of("noloadbalance", true));
    HaPolicy custom = new HaPolicy(ME, tagged, DYN, PlantedBugs.NONE,
        new NodeSettings(NODE.connUrl(), NODE.apiUrl(), true, Optional.empty(), false, false, DYN));
    Publication boot = Publication.plan(c, empty, Optional.of(Task.BOOTSTRAP), false, custom,
        MemberKeyRefresh.NONE, NOW);
    assertThat(boot.state()).isEqualTo("running custom bootstrap script");
    assertThat(((Action.WriteMemberKey) boot.memberKey().orElseThrow()).fields()).containsKey("tags");
    assertThat(Publication.plan(c, empty, Optional.of(Task.BOOTSTRAP), false, POLICY, MemberKeyRefresh.NONE, NOW)
        .state()).isEqualTo("initializing new cluster");
    assertThat(Publication.plan(c, PgState.stopped(DataDirState.INITIALIZED), Optional.empty(), false, POLICY,
        MemberKeyRefresh.NONE, NOW).state()).isEqualTo("stopped");
  }

  /**
   * Issue 17, item 12: a replica whose rejoin found its timeline diverged from the leader's, with the repair off,
   * stays stopped; its member key says why (what /cluster and pgctl list show), for as long as PostgreSQL stays
   * down, and any other failure of the rejoin publishes nothing of the kind.
   */
  @Test
  void aReplicaStoppedForADivergenceItMayNotRepairPublishesWhy() {
    Optional<ClusterSnapshot> c = Optional.of(cluster(Optional.of(lock("node2", 7))));
    PgState stopped = PgState.stopped(DataDirState.INITIALIZED);
    Divergence refused = Divergence.decide(new Upstream("node2", "10.0.0.2", 5432), POLICY);
    HaMemory diverged = HaMemory.NONE.withRetry(Optional.of(new HaMemory.TaskRetry(2, NOW + SEC,
        Task.REJOIN.failure(refused.failure()), "node2")));
    Publication p = Publication.plan(c, stopped, Optional.empty(), false, POLICY, MemberKeyRefresh.NONE, NOW,
        diverged);
    assertThat(p.state()).isEqualTo("stopped");
    assertThat(p.stoppedDiverged()).contains(refused.failure());
    assertThat(((Action.WriteMemberKey) p.memberKey().orElseThrow()).fields())
        .containsEntry("diverged", refused.failure());
    assertThat(refused.failure())
        .startsWith("this node's timeline diverged from leader node2 and use_pg_rewind is off");

    HaMemory otherFailure = HaMemory.NONE.withRetry(Optional.of(new HaMemory.TaskRetry(2, NOW + SEC,
        Task.REJOIN.failure("could not connect to node2"), "node2")));
    Publication other = Publication.plan(c, stopped, Optional.empty(), false, POLICY, MemberKeyRefresh.NONE, NOW,
        otherFailure);
    assertThat(other.stoppedDiverged()).isEmpty();
    assertThat(((Action.WriteMemberKey) other.memberKey().orElseThrow()).fields()).doesNotContainKey("diverged");
    Publication running = Publication.plan(c, replica(1000, "streaming"), Optional.empty(), false, POLICY,
        MemberKeyRefresh.NONE, NOW, diverged);
    assertThat(((Action.WriteMemberKey) running.memberKey().orElseThrow()).fields()).doesNotContainKey("diverged");
  }

  // ---- which peers to ask ----

  @Test
  void peersAreAskedOnlyForARaceAndOnlyThoseWithAnApiUrl() {
    LocalState racing = LocalState.of(replica(1000, "streaming"));
    ClusterSnapshot unlocked = cluster(Optional.empty(), member("node3", 1, "http://n3/patroni"),
        member(ME, 2, "http://me/patroni"), member("node4", 3, ""), member("node2", 4, "http://n2/patroni"));
    assertThat(Decider.peersToAsk(Optional.of(unlocked), racing, POLICY, NOW)).containsExactlyInAnyOrderEntriesOf(
        Map.of("node3", "http://n3/patroni", "node2", "http://n2/patroni"));

    ClusterSnapshot locked = cluster(Optional.of(lock("node2", 7)), member("node2", 4, "http://n2/patroni"));
    assertThat(Decider.peersToAsk(Optional.of(locked), racing, POLICY, NOW)).as("a leader exists").isEmpty();
    assertThat(Decider.peersToAsk(Optional.empty(), racing, POLICY, NOW)).as("no snapshot").isEmpty();
    HaPolicy nofailover = new HaPolicy(ME, new Tags(true, false, false, false, 1, Map.of()), DYN,
        PlantedBugs.NONE, NODE);
    assertThat(Decider.peersToAsk(Optional.of(unlocked), racing, nofailover, NOW)).as("cannot race").isEmpty();
  }

  // ---- the executor's former policy, now in the plan ----

  static ClusterSnapshot withStatus(ClusterSnapshot c, long optime) {
    return new ClusterSnapshot(c.revision(), c.initialize(), c.config(), c.leader(), c.members(), c.failover(),
        c.sync(), c.history(), Optional.of(new ClusterStatus(optime, Map.of(), 5)));
  }

  static PgState primary(long wal) {
    return new PgState(DataDirState.INITIALIZED, true, OptionalLong.of(42), Optional.empty(), Role.PRIMARY, 1, wal,
        OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
        Optional.of("7300000000000000001"), 150010, OptionalLong.of(7), false, false);
  }

  static Decision decide(ClusterSnapshot c, LocalState local, HaPolicy policy) {
    return Decider.decide(Optional.of(c), local, policy, Map.of(), NOW);
  }

  @Test
  void theLockStepsCarryTheLeaseTermsOfTheCycle() {
    ClusterSnapshot mine = cluster(Optional.of(lock(ME, 7)));
    Action.RefreshLock refresh = (Action.RefreshLock) decide(mine, LocalState.of(primary(10)), POLICY).actions()
        .get(0);
    assertThat(refresh.terms().validForNanos(Duration.ofSeconds(9))).as("ttl 9 - retry_timeout 2")
        .isEqualTo(7 * SEC);
    assertThat(refresh.terms().validForNanos(Duration.ofSeconds(30))).as("never beyond the configured ttl")
        .isEqualTo(7 * SEC);
    assertThat(refresh.terms().validForNanos(Duration.ofSeconds(4))).as("never beyond the stored ttl")
        .isEqualTo(2 * SEC);

    Action.AcquireLock acquire = (Action.AcquireLock) decide(cluster(Optional.empty()),
        LocalState.of(replica(1000, "streaming")), POLICY).actions().get(0);
    assertThat(acquire.ttl()).isEqualTo(Duration.ofSeconds(9));
    assertThat(acquire.terms()).isEqualTo(refresh.terms());

    HaPolicy drift = new HaPolicy(ME, Tags.none(), DYN, PlantedBugs.of(HaBug.LEASE_IGNORES_DRIFT), NODE);
    Action.RefreshLock buggy = (Action.RefreshLock) decide(mine, LocalState.of(primary(10)), drift).actions()
        .get(0);
    assertThat(buggy.terms().validForNanos(Duration.ofSeconds(5))).as("PLANTED BUG: the configured ttl, no margin")
        .isEqualTo(9 * SEC);
  }

  @Test
  void theFencingTokenIsNamedByThePlan() {
    assertThat(decide(cluster(Optional.empty()), LocalState.of(replica(1000, "streaming")), POLICY).actions())
        .as("the race: the token the acquire obtains").endsWith(new Action.Promote(FencingToken.acquired()));
    assertThat(decide(cluster(Optional.of(lock(ME, 7))), LocalState.of(replica(1000, "streaming")), POLICY)
        .actions()).as("the holder: its key's token").endsWith(new Action.Promote(FencingToken.held(7)));
    assertThat(decide(cluster(Optional.of(lock(ME, 8))), LocalState.of(PgState.stopped(DataDirState.INITIALIZED)),
        POLICY).actions()).endsWith(new Action.StartPrimary(FencingToken.held(8)));
    ClusterSnapshot none = new ClusterSnapshot(1, Optional.empty(), Optional.empty(), Optional.empty(), Map.of(),
        Optional.empty(), Optional.empty(), List.of(), Optional.empty());
    DynamicConfig seed = new DynamicConfig(30, 10, 10, 1, 300, true, true, Map.of(), List.of(), Map.of());
    HaPolicy seeding = new HaPolicy(ME, Tags.none(), DYN, PlantedBugs.NONE, new NodeSettings(NODE.connUrl(),
        NODE.apiUrl(), false, Optional.empty(), false, false, seed));
    assertThat(decide(none, LocalState.of(PgState.stopped(DataDirState.EMPTY)), seeding).actions())
        .containsExactly(new Action.RaceInitialize(), new Action.Bootstrap(seed));
  }

  @Test
  void theRejoinStrategyFollowsUsePgRewindAndTheRemoveDataDirectorySettings() {
    Upstream up = new Upstream("node2", "h", 1);
    // DYN has use_pg_rewind off; the node's own setting wins.
    HaPolicy rewindOverride = new HaPolicy(ME, Tags.none(), DYN, PlantedBugs.NONE, new NodeSettings("", "", false,
        Optional.of(true), true, false, DYN));
    assertThat(Divergence.decide(up, rewindOverride)).isEqualTo(new Divergence(true, true, "rewind failed",
        "this node's timeline diverged from leader node2 and pg_rewind failed; set "
            + "postgresql.remove_data_directory_on_rewind_failure to re-clone automatically, or reinitialize the "
            + "node", true));
    HaPolicy noRewind = new HaPolicy(ME, Tags.none(), DYN, PlantedBugs.NONE, new NodeSettings("", "", false,
        Optional.empty(), true, false, DYN));
    assertThat(Divergence.decide(up, noRewind)).as("remove_on_rewind_failure does not apply without rewind")
        .isEqualTo(new Divergence(false, false, "diverged timeline",
            "this node's timeline diverged from leader node2 and use_pg_rewind is off; set "
                + "postgresql.remove_data_directory_on_diverged_timelines to re-clone automatically, or "
                + "reinitialize the node", true));
    HaPolicy reclone = new HaPolicy(ME, Tags.none(), DYN, PlantedBugs.NONE, new NodeSettings("", "", false,
        Optional.empty(), false, true, DYN));
    assertThat(Divergence.decide(up, reclone).reclone()).isTrue();

    ClusterSnapshot led = cluster(Optional.of(lock("node2", 9)),
        new Member("node2", 1, "postgres://h:1/postgres", "", "running", "primary", "0.1.0", OptionalLong.empty(), 1,
            Optional.empty(), Map.of(), false, Map.of()));
    assertThat(decide(led, LocalState.of(PgState.stopped(DataDirState.INITIALIZED)), reclone).actions())
        .containsExactly(new Action.DisarmWatchdog(),
            new Action.Rejoin(Optional.of(up), Divergence.decide(up, reclone)));
  }

  @Test
  void theWatchdogIsDisarmedOnTheProbeOnlyWhenPostgresIsVerifiablyStoppedAndNoLeaseIsHeld() {
    PgState stopped = PgState.stopped(DataDirState.INITIALIZED);
    PgState unknown = PgState.unknown("cannot read postmaster.pid");
    PgState starting = new PgState(DataDirState.INITIALIZED, false, OptionalLong.of(4242), Optional.empty(),
        Role.UNKNOWN, 1, 0, OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), List.of(), Optional.empty(), 150010, OptionalLong.empty(), false, false);
    List<Action> release = List.of(new Action.ReleaseLock());
    // Formerly the executor's choice at ReleaseLock: disarm only when PostgreSQL is verifiably gone.
    assertThat(Decider.watchdogRules(release, stopped, true))
        .containsExactly(new Action.ReleaseLock(), new Action.DisarmWatchdog());
    assertThat(Decider.watchdogRules(release, unknown, true)).as("may be a running primary").isEqualTo(release);
    assertThat(Decider.watchdogRules(release, starting, true)).as("a postmaster with a pid").isEqualTo(release);
    assertThat(Decider.watchdogRules(release, replica(1000, "streaming"), true)).isEqualTo(release);

    Upstream up = new Upstream("node2", "h", 1);
    List<Action> rejoin = List.of(new Action.Rejoin(Optional.of(up), Divergence.NOT_CHECKED));
    List<Action> clone = List.of(new Action.CloneReplica(up));
    assertThat(Decider.watchdogRules(rejoin, stopped, false)).first().isEqualTo(new Action.DisarmWatchdog());
    assertThat(Decider.watchdogRules(clone, PgState.stopped(DataDirState.EMPTY), false))
        .containsExactly(new Action.DisarmWatchdog(), new Action.CloneReplica(up));
    assertThat(Decider.watchdogRules(rejoin, stopped, true)).as("a held lease: the lease guard fences, disarms")
        .isEqualTo(rejoin);
    assertThat(Decider.watchdogRules(rejoin, starting, false)).isEqualTo(rejoin);
  }

  @Test
  void statusIsPublishedOnlyWhenTheSnapshotDoesNotShowThePosition() {
    ClusterSnapshot mine = cluster(Optional.of(lock(ME, 7)));
    assertThat(decide(withStatus(mine, 5000), LocalState.of(primary(5000)), POLICY).actions())
        .noneMatch(a -> a instanceof Action.PublishStatus);
    assertThat(decide(withStatus(mine, 4000), LocalState.of(primary(5000)), POLICY).actions())
        .contains(new Action.PublishStatus(5000));
    assertThat(decide(withStatus(cluster(Optional.empty()), 5000), LocalState.of(primary(5000)), POLICY).actions())
        .as("a primary taking the free lock back, position unchanged")
        .noneMatch(a -> a instanceof Action.PublishStatus);
  }

  @Test
  void aRequiredWatchdogThatIsDownBlocksEveryLockStepAndWhatFollowsIt() {
    LocalState holderDown = new LocalState(primary(10), Optional.empty(), Optional.empty(), OptionalLong.empty(),
        false, HaMemory.NONE, false);
    Decision held = decide(cluster(Optional.of(lock(ME, 7))), holderDown, POLICY);
    assertThat(held.actions()).containsExactly(new Action.LeaseBlocked(
        "not refreshing the leader lock: watchdog.mode is required and the watchdog process is not running"));
    assertThat(held.message()).isEqualTo("no action. I am (node1), the leader with the lock");

    LocalState racerDown = new LocalState(replica(1000, "streaming"), Optional.empty(), Optional.empty(),
        OptionalLong.empty(), false, HaMemory.NONE, false);
    assertThat(decide(cluster(Optional.empty()), racerDown, POLICY).actions()).containsExactly(
        new Action.LeaseBlocked("not taking the leader lock: watchdog.mode is required and the watchdog process "
            + "is not running"));
    ClusterSnapshot none = new ClusterSnapshot(1, Optional.empty(), Optional.empty(), Optional.empty(), Map.of(),
        Optional.empty(), Optional.empty(), List.of(), Optional.empty());
    LocalState emptyDown = new LocalState(PgState.stopped(DataDirState.EMPTY), Optional.empty(), Optional.empty(),
        OptionalLong.empty(), false, HaMemory.NONE, false);
    assertThat(decide(none, emptyDown, POLICY).actions()).containsExactly(new Action.LeaseBlocked(
        "not racing to bootstrap: watchdog.mode is required and the watchdog is not usable"));
    LocalState stoppingDown = new LocalState(primary(10), Optional.empty(), Optional.empty(), OptionalLong.empty(),
        true, HaMemory.NONE, false);
    assertThat(decide(cluster(Optional.of(lock(ME, 7))), stoppingDown, POLICY).actions())
        .as("a shutdown takes no lock step: unchanged").endsWith(new Action.ReleaseLock());
  }

  @Test
  void skipDemoteOnLostLeaseIsPlannedAsASkippedDemote() {
    ClusterSnapshot theirs = cluster(Optional.of(lock("node2", 9)));
    HaPolicy buggy = new HaPolicy(ME, Tags.none(), DYN, PlantedBugs.of(HaBug.SKIP_DEMOTE_ON_LOST_LEASE), NODE);
    Decision d = decide(theirs, LocalState.of(primary(10)), buggy);
    assertThat(d.actions()).containsExactly(new Action.SkippedDemote(StopMode.IMMEDIATE));
    assertThat(d.message()).isEqualTo("demoting self because I do not have the lock and I was a leader");
    assertThat(d.changesPostgres()).as("probed again, as after a real demotion").isTrue();
    assertThat(decide(theirs, LocalState.of(primary(10)), POLICY).actions())
        .containsExactly(new Action.Demote(StopMode.IMMEDIATE));
  }

  /**
   * A plan that moves synchronous_standby_names is probed again before the member key is written (the key publishes
   * the setting a leaving standby waits on), without counting as a change of PostgreSQL's state (a paused cluster
   * suppresses those, and still moves the setting).
   */
  @Test
  void movingTheStandbyNamesIsProbedAgain() {
    Decision moves = new Decision(List.of(new Action.SetSynchronousStandbyNames(
        io.pgquorum.coordinator.ha.sync.SyncStandbyNames.all(List.of("node2")), true)), "m", HaMemory.NONE,
        Optional.empty(), true);
    assertThat(moves.probesAgain()).isTrue();
    assertThat(moves.changesPostgres()).isFalse();
    assertThat(new Decision(List.of(new Action.ReleaseLock()), "k", HaMemory.NONE,
        Optional.empty(), true).probesAgain()).isFalse();
  }
}
