package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterCodec;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.cluster.LeaderTimeline;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.TimelineEpoch;
import io.pgquorum.coordinator.postgres.TimelineEpochLine;
import io.pgquorum.coordinator.postgres.Upstream;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.api.PrefixSnapshot;
import io.pgquorum.dcs.planted.PlantedBugs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The epoch in the member key (pgquorum's own field, only when known; Patroni's fields unchanged) and the pure
 * choices of which epoch a node records when its data did not come from its own promotion
 * (docs/findings/same-timeline-forks.md).
 */
class TimelineEpochsTest {
  private static final DcsKeys KEYS = new DcsKeys("/service/demo/");
  private static final Instant T = Instant.parse("2026-12-04T10:00:00Z");

  private static PgState replica(int timeline, OptionalLong epoch, String upstream) {
    return new PgState(PgState.DataDirState.INITIALIZED, true, OptionalLong.of(1), Optional.of(T),
        PgState.Role.REPLICA, timeline, 1000, OptionalLong.of(1000), OptionalLong.of(1000), Optional.empty(),
        Optional.of("streaming"), Optional.of(upstream), List.of(), Optional.of("7300000000000000001"), 150010,
        OptionalLong.empty(), false, false).withTimelineEpoch(epoch);
  }

  /** {@code line(2, 39, 3, 70)}: timeline, epoch, timeline, epoch... */
  static TimelineEpochLine line(long... te) {
    List<TimelineEpoch> out = new ArrayList<>();
    for (int i = 0; i < te.length; i += 2) {
      out.add(new TimelineEpoch((int) te[i], te[i + 1]));
    }
    return new TimelineEpochLine(out);
  }

  private static KeyValue kv(String key, String value) {
    return new KeyValue(key, value, 2, 2, 1, Duration.ofSeconds(30), 0, "tool", Instant.EPOCH);
  }

  /** A snapshot as the codec reads it: leader n1, history recording timeline 3 as started under token 57. */
  private static ClusterSnapshot cluster(Map<String, Map<String, Object>> members) {
    return cluster("[[1,100,\"r\",null,null],[2,200,\"r\",\"t\",\"n1\",57]]", members);
  }

  private static ClusterSnapshot cluster(String history, Map<String, Map<String, Object>> members) {
    List<KeyValue> keys = new ArrayList<>(List.of(kv(KEYS.leader(), "n1"), kv(KEYS.history(), history)));
    members.forEach((name, fields) -> keys.add(kv(KEYS.member(name), ClusterCodec.encodeMember(fields))));
    return new ClusterCodec(KEYS).decode(new PrefixSnapshot("/service/demo/", 9, keys));
  }

  private static Map<String, Object> fields(PgState pg, String role) {
    return Publication.memberFields(pg, "running", role, PlanTotalityTest.POLICY);
  }

  private static Map<String, Object> at(String host, Map<String, Object> fields) {
    Map<String, Object> m = new java.util.LinkedHashMap<>(fields);
    m.put("conn_url", "postgres://" + host + ":5432/postgres");
    return m;
  }

  @Test
  void theMemberKeyCarriesTheEpochOnlyWhenKnownAndRoundTrips() {
    Map<String, Object> known = fields(replica(3, OptionalLong.of(41), "10.0.0.1:5432"), "replica");
    Map<String, Object> unknown = fields(replica(3, OptionalLong.empty(), "10.0.0.1:5432"), "replica");
    assertThat(known).containsEntry("timeline_epoch", 41L);
    assertThat(unknown).doesNotContainKey("timeline_epoch");
    // Patroni's fields are the same, in the same order, with or without ours.
    List<String> patroni = new ArrayList<>(known.keySet());
    patroni.remove("timeline_epoch");
    assertThat(new ArrayList<>(unknown.keySet())).isEqualTo(patroni);

    ClusterSnapshot c = cluster(Map.of("n2", at("10.0.0.2", known), "n3", at("10.0.0.3", unknown)));
    Member n2 = c.member("n2").orElseThrow();
    assertThat(n2.timelineEpoch()).hasValue(41);
    assertThat(n2.timeline()).isEqualTo(3);
    assertThat(c.member("n3").orElseThrow().timelineEpoch()).isEmpty();
  }

  @Test
  void ofMemberJudgesAPublishedEpochAgainstHistory() {
    ClusterSnapshot c = cluster(Map.of(
        "n2", at("10.0.0.2", fields(replica(3, OptionalLong.of(41), "10.0.0.1:5432"), "replica")),
        "n3", at("10.0.0.3", fields(replica(3, OptionalLong.of(57), "10.0.0.1:5432"), "replica")),
        "n4", at("10.0.0.4", fields(replica(3, OptionalLong.empty(), "10.0.0.1:5432"), "replica"))));
    assertThat(LeaderTimeline.ofMember(c, c.member("n2").orElseThrow())).hasValueSatisfying(why ->
        assertThat(why).contains("token 41").contains("token 57"));
    assertThat(LeaderTimeline.ofMember(c, c.member("n3").orElseThrow())).isEmpty();
    assertThat(LeaderTimeline.ofMember(c, c.member("n4").orElseThrow())).isEmpty(); // unknown: no judgement
  }

  @Test
  void aCopyTakesItsSourcesPublishedEpochOrTheLeadersFromHistory() {
    Map<String, Object> leaderNoEpoch = at("10.0.0.1", fields(replica(3, OptionalLong.empty(), "x:1"), "primary"));
    Map<String, Object> replicaNoEpoch = at("10.0.0.2", fields(replica(3, OptionalLong.empty(), "x:1"), "replica"));
    Map<String, Object> replica41 = at("10.0.0.3", fields(replica(3, OptionalLong.of(41), "x:1"), "replica"));
    ClusterSnapshot c = cluster(Map.of("n1", leaderNoEpoch, "n2", replicaNoEpoch, "n3", replica41));
    Optional<ClusterSnapshot> oc = Optional.of(c);
    assertThat(TimelineEpochs.ofSource(oc, new Upstream("n3", "10.0.0.3", 5432)))
        .isEqualTo(line(3, 41)); // another fork than history's: only its own timeline's, nothing older
    assertThat(TimelineEpochs.ofSource(oc, new Upstream("n1", "10.0.0.1", 5432)))
        .isEqualTo(line(3, 57)); // the leader: history's epoch for the switch into timeline 3
    assertThat(TimelineEpochs.ofSource(oc, new Upstream("n2", "10.0.0.2", 5432))).isEqualTo(TimelineEpochLine.NONE);
    assertThat(TimelineEpochs.ofSource(Optional.empty(), new Upstream("n3", "10.0.0.3", 5432)))
        .isEqualTo(TimelineEpochLine.NONE);
    assertThat(TimelineEpochs.ofSource(oc, null)).isEqualTo(TimelineEpochLine.NONE);
  }

  @Test
  void aReplicaRecordsItsUpstreamsEpochOnlyIfItStreamedFromItSinceItsEpochWasKnown() {
    ClusterSnapshot c = cluster(Map.of(
        "n1", at("10.0.0.1", fields(replica(4, OptionalLong.of(63), "x:1"), "primary")),
        "n5", at("10.0.0.5", fields(replica(4, OptionalLong.of(63), "x:1"), "replica"))));
    Decision empty = Decision.of("m");
    // Known epoch on timeline 3 while streaming from n1: remembered.
    Decision d1 = TimelineEpochs.streamed(empty, Optional.of(c),
        LocalState.of(replica(3, OptionalLong.of(57), "10.0.0.1:5432")));
    assertThat(d1.memory().epochUpstream()).contains("10.0.0.1:5432");
    assertThat(d1.actions()).isEmpty();
    // Next cycle: it moved to timeline 4 (unknown) still streaming from n1, which publishes 4 with epoch 63.
    Decision d2 = TimelineEpochs.streamed(empty, Optional.of(c),
        new LocalState(replica(4, OptionalLong.empty(), "10.0.0.1:5432"), Optional.empty(), Optional.empty(),
            OptionalLong.empty(), false, d1.memory()));
    assertThat(d2.actions()).containsExactly(new Action.RecordTimelineEpoch(line(4, 63)));
    // The same move, but the upstream changed in between (n1 then n5): nothing recorded, and never later.
    Decision d3 = TimelineEpochs.streamed(empty, Optional.of(c),
        new LocalState(replica(4, OptionalLong.empty(), "10.0.0.5:5432"), Optional.empty(), Optional.empty(),
            OptionalLong.empty(), false, d1.memory()));
    assertThat(d3.actions()).isEmpty();
    assertThat(d3.memory().epochUpstream()).isEmpty();
    // Re-pointed at n5 (a failover) while on timeline 3 with a known epoch, the upstream it leaves (n9, gone) not
    // past timeline 3: n5's timeline 4 is recorded with the Follow, and n5 is remembered for later switches.
    Decision follow = TimelineEpochs.streamed(Decision.of("m", new Action.Follow(new Upstream("n5", "10.0.0.5",
        5432))), Optional.of(c), LocalState.of(replica(3, OptionalLong.of(57), "10.0.0.9:5432")));
    assertThat(follow.actions()).containsExactly(new Action.RecordTimelineEpoch(line(3, 57, 4, 63)),
        new Action.Follow(new Upstream("n5", "10.0.0.5", 5432)));
    assertThat(follow.memory().epochUpstream()).contains("10.0.0.5:5432");
    // Leaving n1, which is already on timeline 4 (it may have sent it): nothing recorded, nothing remembered.
    Decision leaving = TimelineEpochs.streamed(Decision.of("m", new Action.Follow(new Upstream("n5", "10.0.0.5",
        5432))), Optional.of(c), LocalState.of(replica(3, OptionalLong.of(57), "10.0.0.1:5432")));
    assertThat(leaving.actions()).containsExactly(new Action.Follow(new Upstream("n5", "10.0.0.5", 5432)));
    assertThat(leaving.memory().epochUpstream()).isEmpty();
    // Without a remembered upstream (a daemon restart) nothing either.
    assertThat(TimelineEpochs.streamed(empty, Optional.of(c),
        LocalState.of(replica(4, OptionalLong.empty(), "10.0.0.1:5432"))).actions()).isEmpty();
  }

  /** History recording timeline 2 as started under token 61 and timeline 3 under 70 (the seed's, after the fix). */
  private static final String HISTORY_61_70 =
      "[[1,100,\"r\",null,null,61],[2,200,\"r\",\"t\",\"n5\",70]]";

  @Test
  void aCopyOfANodeOnHistorysForkTakesHistorysOlderEpochsToo() {
    ClusterSnapshot c = cluster(HISTORY_61_70, Map.of(
        "n1", at("10.0.0.1", fields(replica(3, OptionalLong.empty(), "x:1"), "primary")),
        "n2", at("10.0.0.2", fields(replica(3, OptionalLong.of(70), "x:1"), "replica")),
        "n3", at("10.0.0.3", fields(replica(3, OptionalLong.of(99), "x:1"), "replica")),
        "n4", at("10.0.0.4", fields(replica(2, OptionalLong.of(61), "x:1"), "replica"))));
    Optional<ClusterSnapshot> oc = Optional.of(c);
    assertThat(TimelineEpochs.ofSource(oc, new Upstream("n1", "10.0.0.1", 5432))).isEqualTo(line(2, 61, 3, 70));
    assertThat(TimelineEpochs.ofSource(oc, new Upstream("n2", "10.0.0.2", 5432))).isEqualTo(line(2, 61, 3, 70));
    assertThat(TimelineEpochs.ofSource(oc, new Upstream("n4", "10.0.0.4", 5432))).isEqualTo(line(2, 61));
    // Another fork of timeline 3: what it holds before is not history's to say.
    assertThat(TimelineEpochs.ofSource(oc, new Upstream("n3", "10.0.0.3", 5432))).isEqualTo(line(3, 99));
  }

  @Test
  void aPrimaryRecordsTheEpochOfEachSwitchFromItsLine() {
    TimelineEpochLine line = line(2, 61, 3, 70);
    assertThat(TimelineEpochs.forHistory(line, 3, 3, PlantedBugs.NONE)).hasValue(70); // its own promotion
    assertThat(TimelineEpochs.forHistory(line, 2, 3, PlantedBugs.NONE)).hasValue(61); // an older, unrecorded one
    assertThat(TimelineEpochs.forHistory(line(3, 70), 2, 3, PlantedBugs.NONE)).isEmpty(); // unknown
    assertThat(TimelineEpochs.forHistory(line, 2, 3, PlantedBugs.of(HaBug.FORGET_OLDER_EPOCHS))).isEmpty();
    assertThat(TimelineEpochs.forHistory(line, 3, 3, PlantedBugs.of(HaBug.FORGET_OLDER_EPOCHS))).hasValue(70);
  }

  @Test
  void aReplicaKeepsItsOlderEpochsWhenItRecordsANewTimeline() {
    ClusterSnapshot c = cluster(HISTORY_61_70, Map.of(
        "n5", at("10.0.0.5", fields(replica(3, OptionalLong.of(70), "x:1"), "primary"))));
    // On timeline 2 (token 61) and re-pointed at n5, already on timeline 3: its line continues with n5's.
    PgState on2 = replica(2, OptionalLong.of(61), "10.0.0.9:5432");
    Decision follow = TimelineEpochs.streamed(Decision.of("m", new Action.Follow(new Upstream("n5", "10.0.0.5",
        5432))), Optional.of(c), LocalState.of(on2));
    assertThat(follow.actions()).startsWith(new Action.RecordTimelineEpoch(line(2, 61, 3, 70)));
    // Streamed onto timeline 3 unrecorded: the record still gives timeline 2's epoch, kept when 3's is recorded.
    PgState on3 = replica(3, OptionalLong.empty(), "10.0.0.5:5432").withEpochLine(line(2, 61));
    Decision d = TimelineEpochs.streamed(Decision.of("m"), Optional.of(c), new LocalState(on3, Optional.empty(),
        Optional.empty(), OptionalLong.empty(), false, HaMemory.NONE.withEpochUpstream(Optional.of("10.0.0.5:5432"))));
    assertThat(d.actions()).containsExactly(new Action.RecordTimelineEpoch(line(2, 61, 3, 70)));
    // A rejoin that keeps its data (timeline 2, token 61) and will replay n5's timeline 3.
    PgState stopped = replica(2, OptionalLong.of(61), "x:1");
    assertThat(TimelineEpochs.afterRejoin(line(2, 61, 3, 70), stopped)).contains(line(2, 61, 3, 70));
    assertThat(TimelineEpochs.afterRejoin(line(2, 61), stopped)).isEmpty(); // nothing later to replay
    assertThat(TimelineEpochs.afterRejoin(line(2, 61, 3, 70), replica(2, OptionalLong.empty(), "x:1")))
        .isEmpty(); // its own fork unknown: the record is left as it is
  }

  @Test
  void continuedAppendsOnlyTheSourcesLaterTimelines() {
    assertThat(TimelineEpochs.continued(line(2, 39), line(2, 61, 3, 70, 4, 80))).isEqualTo(line(2, 39, 3, 70, 4, 80));
    assertThat(TimelineEpochs.continued(TimelineEpochLine.NONE, line(2, 61))).isEqualTo(line(2, 61));
    assertThat(TimelineEpochs.continued(line(2, 61, 3, 70), line(3, 70))).isEqualTo(line(2, 61, 3, 70));
  }
}
