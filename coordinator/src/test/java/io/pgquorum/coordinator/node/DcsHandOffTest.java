package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.ratis.DcsServer;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link DcsHandOff} against a real three-member Raft group: what it reports back of a transfer's outcome, which
 * DcsLeadershipRules reads to hold off asking again after a failure (transcript {@code dcs-leadership.txt}).
 */
class DcsHandOffTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);

  @Test
  void aFailedTransferIsReportedWithItsTimeAndASuccessfulOneClearsIt() {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      String leader = cluster.awaitLeader(WITHIN);
      DcsServer lead = cluster.member(leader);
      await("the leader hears both voters").atMost(WITHIN)
          .until(() -> lead.leadership().reachableVoters().size() == 2);
      try (RatisDcsClient client = cluster.client("hand-off")) {
        DcsHandOff handOff = new DcsHandOff(client);
        assertThat(handOff.failedAtNanos()).as("before any transfer").isEmpty();

        long before = System.nanoTime();
        handOff.accept("no-such-member.invalid:1");
        await("the failed transfer is reported").atMost(WITHIN).until(() -> handOff.failedAtNanos().isPresent());
        assertThat(handOff.failedAtNanos().getAsLong()).isGreaterThanOrEqualTo(before)
            .isLessThanOrEqualTo(System.nanoTime());
        assertThat(lead.isLeader()).as("a failed transfer leaves the leader in place").isTrue();

        String target = lead.leadership().reachableVoters().get(0);
        handOff.accept(target);
        await("the transfer succeeds and clears the failure").atMost(WITHIN)
            .until(() -> handOff.failedAtNanos().isEmpty());
        await("the target leads").atMost(WITHIN).until(() -> !lead.isLeader());
      }
    }
  }
}
