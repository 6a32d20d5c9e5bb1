package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure failsafe rules' arithmetic and the key upkeep, beside the decision transcripts (failsafe.txt). */
class FailsafeRulesTest {

  @Test
  void promiseOutlastsTheLeaseItGrantsEvenWithClocksDriftingApart() {
    // The primary's deadline (ttl - margin on a clock running rho slow) must end before the promise (on a clock
    // running rho fast) in real time, for the shipped ttl/retry_timeout pairs and the tightest one allowed.
    double rho = io.pgquorum.dcs.lease.LeaseTracker.DEFAULT_MAX_CLOCK_RATE_DRIFT;
    for (int ttl : new int[] {2, 4, 8, 30}) {
      Duration t = Duration.ofSeconds(ttl);
      long granted = new LeaseTerms(t, Duration.ofSeconds(0), false).validForNanos(t);
      double primaryRealNanos = granted / (1 - rho);
      double promiseRealNanos = FailsafeRules.promiseNanos(t) / (1 + rho);
      assertThat(promiseRealNanos).as("ttl %d s", ttl).isGreaterThanOrEqualTo(primaryRealNanos);
    }
  }

  @Test
  void theKeyIsWrittenOnlyWhenItDiffersFromTheMembers() {
    DeciderScenario s = new DeciderScenario();
    s.cluster().withInitialize("7300000000000000001", "node2").withLeader("node1", 7, Duration.ofSeconds(8))
        .withMember("node1", "postgres://a/p").withMember("node2", "postgres://b/p");
    s.withSyncKey("failsafe_mode", true);
    var c = s.snapshot().orElseThrow();
    assertThat(FailsafeRules.holderUpkeep(c, s.policy())).hasSize(1);
    Map<String, String> listed = FailsafeRules.wanted(c, s.policy());
    s.withFailsafeKey(Optional.of(listed));
    assertThat(s.snapshot().orElseThrow().failsafe()).contains(listed);
    assertThat(FailsafeRules.holderUpkeep(s.snapshot().orElseThrow(), s.policy())).isEmpty();
  }

  @Test
  void aRaceAlsoAsksTheMembersTheKeyListsWithoutAMemberKey() {
    DeciderScenario s = new DeciderScenario();
    s.cluster().withInitialize("7300000000000000001", "node2").withoutLeader()
        .withMember("node1", "postgres://a/p").withMember("node2", "postgres://b/p");
    s.pg().withCondition(PgStateBuilder.Condition.REPLICA);
    s.withSyncKey("failsafe_mode", true);
    s.withFailsafeKey(Optional.of(Map.of("node1", "http://a/patroni", "node2", "http://b/patroni",
        "node3", "http://c/patroni")));
    Map<String, String> asked = Decider.peersToAsk(s.snapshot(), s.local(), s.policy(), s.nowNanos());
    assertThat(asked).as("node3 has no member key: asked at the key's address").containsEntry("node3",
        "http://c/patroni").containsKey("node2").doesNotContainKey("node1");
    assertThat(asked.get("node2")).as("a member key's address wins").isNotEqualTo("http://b/patroni");

    s.withSyncKey("failsafe_mode", false);
    assertThat(Decider.peersToAsk(s.snapshot(), s.local(), s.policy(), s.nowNanos())).containsOnlyKeys("node2");
  }
}
