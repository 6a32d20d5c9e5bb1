package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Initialize;
import io.pgquorum.coordinator.cluster.LeaderLock;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.Tags;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.PgState.DataDirState;
import io.pgquorum.coordinator.postgres.PgState.Role;
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
      "http://10.0.0.1:8008/patroni", false, Optional.empty(), false, false);
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

    HaPolicy custom = new HaPolicy(ME, new Tags(false, true, false, false, 3, Map.of("noloadbalance", true)), DYN, PlantedBugs.NONE,
        new NodeSettings(NODE.connUrl(), NODE.apiUrl(), true, Optional.empty(), false, false));
    Publication boot = Publication.plan(c, empty, Optional.of(Task.BOOTSTRAP), false, custom,
        MemberKeyRefresh.NONE, NOW);
    assertThat(boot.state()).isEqualTo("running custom bootstrap script");
    assertThat(((Action.WriteMemberKey) boot.memberKey().orElseThrow()).fields()).containsKey("tags");
    assertThat(Publication.plan(c, empty, Optional.of(Task.BOOTSTRAP), false, POLICY, MemberKeyRefresh.NONE, NOW)
        .state()).isEqualTo("initializing new cluster");
    assertThat(Publication.plan(c, PgState.stopped(DataDirState.INITIALIZED), Optional.empty(), false, POLICY,
        MemberKeyRefresh.NONE, NOW).state()).isEqualTo("stopped");
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
}
