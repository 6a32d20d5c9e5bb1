package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.ha.NodeStatus;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The {@code pgquorum} object of {@code /patroni}: the lease as this node sees it, for observers. */
class LeaseStatusJsonTest {
  private static NodeStatus withLease(NodeStatus s, OptionalLong deadline, OptionalLong token, String watchdog) {
    return new NodeStatus(s.scope(), s.name(), s.pg(), s.state(), s.role(), s.holdsLock(), s.cluster(),
        s.dcsLastSeen(), s.message(), s.tags(), s.cycleAt(), s.cycleNanos(), s.cycles(), deadline, token, watchdog);
  }

  @Test
  void aHeldLeaseShowsRemainingMillisAndItsToken() {
    long now = 1_000_000_000_000L;
    NodeStatus s = withLease(Fixtures.primary(), OptionalLong.of(now + 5_500_000_000L), OptionalLong.of(42),
        "armed");
    assertThat(StatusJson.pgquorum(s, now)).containsExactly(Map.entry("lease_remaining_ms", 5500L),
        Map.entry("fencing_token", 42L), Map.entry("watchdog", "armed"));
    assertThat(StatusJson.pgquorum(s, now + 5_500_000_000L)).as("run out")
        .containsExactly(Map.entry("watchdog", "armed"));
  }

  @Test
  void noLeaseNoLeaseFieldsAndTheTopLevelTokenIsUnchanged() {
    NodeStatus s = Fixtures.primary();
    assertThat(StatusJson.pgquorum(s, System.nanoTime())).isEmpty();
    Map<String, Object> doc = StatusJson.of(s);
    assertThat(doc).containsKey("fencing_token").containsEntry("pgquorum", Map.of());
  }

  @Test
  void plantedBugsAreShownInPatroniAndMetricsAndAbsentOtherwise() {
    NodeStatus p = Fixtures.primary();
    NodeStatus s = new NodeStatus(p.scope(), p.name(), p.pg(), p.state(), p.role(), p.holdsLock(), p.cluster(),
        p.dcsLastSeen(), p.message(), p.tags(), p.cycleAt(), p.cycleNanos(), p.cycles(), OptionalLong.empty(),
        OptionalLong.empty(), "", java.util.List.of("lease-ignores-drift", "no-watchdog"));
    assertThat(StatusJson.pgquorum(s, System.nanoTime()))
        .containsExactly(Map.entry("planted_bugs", java.util.List.of("lease-ignores-drift", "no-watchdog")));
    String labels = "scope=\"" + p.scope() + "\",name=\"" + p.name() + "\"";
    assertThat(MetricsText.of(s).lines()).contains("pgquorum_planted_bugs{" + labels + "} 2",
        "pgquorum_planted_bug{" + labels + ",bug=\"lease-ignores-drift\"} 1",
        "pgquorum_planted_bug{" + labels + ",bug=\"no-watchdog\"} 1");
    assertThat(MetricsText.of(p).lines()).contains("pgquorum_planted_bugs{" + labels + "} 0")
        .noneMatch(l -> l.startsWith("pgquorum_planted_bug{"));
  }

  @Test
  void aLockHolderStillAStandbySaysWhatItsPromotionWaitsFor() {
    NodeStatus r = Fixtures.replica();
    String said = "catching up from node3 before promotion: at 2000 of 3000";
    NodeStatus holder = new NodeStatus(r.scope(), r.name(), r.pg(), r.state(), r.role(), true, r.cluster(),
        r.dcsLastSeen(), said, r.tags(), r.cycleAt(), r.cycleNanos(), r.cycles());
    assertThat(StatusJson.pgquorum(holder, System.nanoTime())).containsExactly(Map.entry("before_promotion", said));
    assertThat(StatusJson.pgquorum(r, System.nanoTime())).as("no lock").doesNotContainKey("before_promotion");
    assertThat(StatusJson.pgquorum(Fixtures.standbyLeader(), System.nanoTime())).as("a standby cluster's leader")
        .doesNotContainKey("before_promotion");
  }

  @Test
  void theLastReplicaCreationIsShownOnceThereIsOne() {
    NodeStatus p = Fixtures.primary();
    Map<String, Object> creation = Map.of("method", "backrest", "result", "succeeded",
        "attempts", java.util.List.of(Map.of("method", "backrest", "result", "succeeded", "delta", true)));
    assertThat(StatusJson.pgquorum(p.withReplicaCreation(creation), System.nanoTime()))
        .containsExactly(Map.entry("replica_creation", creation));
    // kept through the other copies the daemon makes of its status
    assertThat(p.withReplicaCreation(creation).withWatchdog("armed").withBackrest(Map.of("stanza", "s"))
        .withoutLock().replicaCreation()).isEqualTo(creation);
    assertThat(StatusJson.pgquorum(p, System.nanoTime())).doesNotContainKey("replica_creation");
  }
}
