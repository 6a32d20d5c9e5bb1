package io.pgquorum.bench.failover;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.bench.report.Result;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RaftLeaderPlacementTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void bothVariantsArePgquorumDefaultsUnderTheirOwnNames() {
    Variant off = RaftLeaderPlacement.OFF_PRIMARY.variant();
    Variant on = RaftLeaderPlacement.ON_PRIMARY.variant();
    assertThat(off.system()).isEqualTo(on.system()).isEqualTo(Result.PGQUORUM);
    assertThat(off.timing()).isEqualTo(on.timing()).isEqualTo(Variant.pgquorumDefaults(3).timing());
    assertThat(off.config()).isEqualTo(on.config()).isEqualTo("3 nodes");
    // Distinct names: results of the two are told apart by their variant.
    assertThat(off.name()).isEqualTo("raftlead-off-primary");
    assertThat(on.name()).isEqualTo("raftlead-on-primary");
  }

  @Test
  void onlyThePlacementOnThePrimarySwitchesTheFeatureOff() throws Exception {
    assertThat(RaftLeaderPlacement.OFF_PRIMARY.patchBody()).isNull();
    String body = RaftLeaderPlacement.ON_PRIMARY.patchBody();
    assertThat(JSON.readTree(body).get("raft_leadership_off_primary").isBoolean()).isTrue();
    assertThat(JSON.readTree(body).get("raft_leadership_off_primary").asBoolean()).isFalse();
    assertThat(JSON.readTree(body).size()).isEqualTo(1);
  }

  @Test
  void theConfigCheckReadsAnAbsentKeyAsTheDefault() throws Exception {
    var absent = JSON.readTree("{\"ttl\":8}");
    var off = JSON.readTree("{\"ttl\":8,\"raft_leadership_off_primary\":false}");
    var on = JSON.readTree("{\"raft_leadership_off_primary\":true}");
    assertThat(RaftLeaderPlacement.OFF_PRIMARY.configProblem(absent)).isNull();
    assertThat(RaftLeaderPlacement.OFF_PRIMARY.configProblem(on)).isNull();
    assertThat(RaftLeaderPlacement.OFF_PRIMARY.configProblem(off)).contains("false");
    assertThat(RaftLeaderPlacement.ON_PRIMARY.configProblem(off)).isNull();
    assertThat(RaftLeaderPlacement.ON_PRIMARY.configProblem(absent)).contains("absent");
    assertThat(RaftLeaderPlacement.ON_PRIMARY.configProblem(on)).isNotNull();
  }

  @Test
  void placementNeedsTheLeaderOnTheRightSideAndOnlyOne() {
    Map<String, String> primaryLeads = Map.of("a", "leader", "b", "follower", "c", "follower");
    Map<String, String> otherLeads = Map.of("a", "follower", "b", "leader", "c", "follower");
    Map<String, String> noLeader = Map.of("a", "follower", "b", "candidate", "c", "unreachable");
    Map<String, String> twoSayLeader = Map.of("a", "leader", "b", "leader", "c", "follower");
    assertThat(RaftLeaderPlacement.OFF_PRIMARY.placementProblem(otherLeads, "a")).isNull();
    assertThat(RaftLeaderPlacement.OFF_PRIMARY.placementProblem(primaryLeads, "a")).contains("says leader");
    // An election in progress is not "off the primary" yet: the kill would still find no leader elsewhere.
    assertThat(RaftLeaderPlacement.OFF_PRIMARY.placementProblem(noLeader, "a")).isNotNull();
    assertThat(RaftLeaderPlacement.OFF_PRIMARY.placementProblem(twoSayLeader, "a")).isNotNull();

    assertThat(RaftLeaderPlacement.ON_PRIMARY.placementProblem(primaryLeads, "a")).isNull();
    assertThat(RaftLeaderPlacement.ON_PRIMARY.placementProblem(otherLeads, "a")).contains("says follower");
    assertThat(RaftLeaderPlacement.ON_PRIMARY.placementProblem(noLeader, "a")).isNotNull();
    // A deposed leader that still says leader next to the new one: not settled on the primary.
    assertThat(RaftLeaderPlacement.ON_PRIMARY.placementProblem(twoSayLeader, "a")).isNotNull();
  }
}
