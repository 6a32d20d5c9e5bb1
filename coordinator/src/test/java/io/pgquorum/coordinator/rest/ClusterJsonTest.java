package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.cluster.Versioned;
import io.pgquorum.coordinator.config.DynamicConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@code GET /cluster}'s document built from a snapshot (reference A.9), field by field. */
class ClusterJsonTest {

  private static ClusterSnapshot with(boolean paused, Member... extra) {
    ClusterSnapshot s = Fixtures.snapshot(paused);
    Map<String, Member> members = new TreeMap<>(s.members());
    for (Member m : extra) {
      members.put(m.name(), m);
    }
    return new ClusterSnapshot(s.revision(), s.initialize(), s.config(), s.leader(), members, s.failover(), s.sync(),
        s.history(), s.status());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> member(Map<String, Object> cluster, int i) {
    return ((List<Map<String, Object>>) cluster.get("members")).get(i);
  }

  @Test
  void pauseAndTheScheduledSwitchoverComeFromTheConfigAndFailoverKeys() {
    Map<String, Object> paused = ClusterJson.cluster("demo", with(true));
    assertThat(paused.get("pause")).isEqualTo(true);
    assertThat(paused.get("scheduled_switchover"))
        .isEqualTo(Map.of("at", "2030-01-02T03:04:05+00:00", "from", "n1", "to", "n2"));
    assertThat(paused.get("scope")).isEqualTo("demo");

    assertThat(ClusterJson.cluster("demo", with(false))).doesNotContainKey("pause");
  }

  @Test
  void aMemberShowsItsScheduledRestartPendingRestartAndReasonAndTags() {
    Map<String, Object> raw = new LinkedHashMap<>();
    Map<String, Object> schedule = Map.of("schedule", "2030-01-01T00:00:00+00:00", "postgres_version", "15.9");
    Map<String, Object> reason = Map.of("shared_buffers", Map.of("old_value", "128MB", "new_value", "256MB"));
    raw.put("scheduled_restart", schedule);
    raw.put("pending_restart", true);
    raw.put("pending_restart_reason", reason);
    Member n4 = new Member("n4", 10, "postgres://10.0.0.4:5433/postgres", "http://10.0.0.4:8008/patroni", "running",
        "replica", "0.1.0", OptionalLong.of(Fixtures.OPTIME), 3, Optional.of("streaming"), Map.of("nosync", true),
        true, raw);

    Map<String, Object> m = member(ClusterJson.cluster("demo", with(false, n4)), 3);

    assertThat(m.get("name")).isEqualTo("n4");
    assertThat(m.get("port")).isEqualTo(5433);
    assertThat(m.get("scheduled_restart")).isEqualTo(schedule);
    assertThat(m.get("pending_restart")).isEqualTo(true);
    assertThat(m.get("pending_restart_reason")).isEqualTo(reason);
    assertThat(m.get("tags")).isEqualTo(Map.of("nosync", true));
    Map<String, Object> n2 = member(ClusterJson.cluster("demo", with(false)), 1);
    assertThat(n2).doesNotContainKeys("scheduled_restart", "pending_restart", "pending_restart_reason");
  }

  /**
   * A member that is not the lock holder is a replica in /cluster whatever its own key says (uninitialized while
   * it bootstraps, primary while a stray primary runs), as in Patroni, whose roles there are only leader,
   * standby_leader, sync_standby, quorum_standby and replica.
   */
  @Test
  void aMemberOtherThanTheLeaderIsAReplicaWhateverItsKeySays() {
    Member n4 = new Member("n4", 10, "postgres://10.0.0.4:5432/postgres", "http://10.0.0.4:8008/patroni", "stopped",
        "uninitialized", "0.1.0", OptionalLong.empty(), 0, Optional.empty(), Map.of(), false, Map.of());
    Member n5 = new Member("n5", 10, "postgres://10.0.0.5:5432/postgres", "http://10.0.0.5:8008/patroni", "running",
        "primary", "0.1.0", OptionalLong.of(1), 3, Optional.empty(), Map.of(), false, Map.of());

    Map<String, Object> c = ClusterJson.cluster("demo", with(false, n4, n5));

    assertThat(member(c, 0).get("role")).isEqualTo("leader");
    assertThat(member(c, 2).get("role")).isEqualTo("sync_standby");
    assertThat(member(c, 3).get("role")).isEqualTo("replica");
    assertThat(member(c, 4).get("role")).isEqualTo("replica");
  }

  /** In quorum mode a voter of the sync key is a quorum_standby (Patroni 4), not a sync_standby. */
  @Test
  void aVoterIsAQuorumStandbyInQuorumMode() {
    ClusterSnapshot s = with(false);
    Map<String, Object> raw = new LinkedHashMap<>(s.config().orElseThrow().value().raw());
    raw.put("synchronous_mode", "quorum");
    DynamicConfig q = new DynamicConfig(8, 1, 2, 1_048_576, 300, true, true, Map.of("max_connections", "100"),
        List.of(), raw);
    ClusterSnapshot quorum = new ClusterSnapshot(s.revision(), s.initialize(), Optional.of(new Versioned<>(q, 5)),
        s.leader(), s.members(), s.failover(), s.sync(), s.history(), s.status());

    Map<String, Object> c = ClusterJson.cluster("demo", quorum);

    assertThat(member(c, 0).get("role")).isEqualTo("leader");
    assertThat(member(c, 2).get("role")).isEqualTo("quorum_standby");
  }
}
