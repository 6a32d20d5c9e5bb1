package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.api.RaftStats;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The Raft figures a member publishes for /metrics ({@link DcsServer#stats()}), on a real three-member group in
 * one JVM: each member finds its own Ratis election counters (three registries live side by side here), and the
 * indexes follow the writes.
 */
class RaftStatsTest {
  private static final Duration ELECTION = Duration.ofSeconds(30);

  @Test
  void membersPublishTermLeaderIndexesAndRatisElectionCounts() throws Exception {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      String leader = cluster.awaitLeader(ELECTION);
      String leaderId = cluster.member(leader).memberId();
      List<String> members = cluster.runningMembers();
      // A sample is taken about once a second: await the one taken after the election settled everywhere.
      await("every member's sample names the leader").atMost(ELECTION).untilAsserted(() -> {
        for (String m : members) {
          RaftStats s = cluster.member(m).stats();
          assertThat(s.term()).as(m).isGreaterThanOrEqualTo(1);
          assertThat(s.leaderId()).as(m).isEqualTo(Optional.of(leaderId));
          assertThat(s.leader()).as(m).isEqualTo(m.equals(leader));
        }
      });
      // Ratis' own count, read from its registry for this member: the leader ran the election that made it.
      assertThat(cluster.member(leader).stats().elections()).isPositive();

      long before = cluster.member(leader).stats().commitIndex();
      try (RatisDcsClient client = cluster.client("writer")) {
        for (int i = 0; i < 20; i++) {
          client.put("/k" + i, "v");
        }
      }
      await("the writes are committed and applied everywhere").atMost(ELECTION).untilAsserted(() -> {
        for (String m : members) {
          RaftStats s = cluster.member(m).stats();
          assertThat(s.commitIndex()).as(m).isGreaterThanOrEqualTo(before + 20);
          assertThat(s.appliedIndex()).as(m).isGreaterThanOrEqualTo(before + 20).isLessThanOrEqualTo(
              s.commitIndex());
          assertThat(s.logEntries()).as(m).isGreaterThanOrEqualTo(20);
          assertThat(s.logBytes()).as(m).isPositive();
        }
      });
    }
  }
}
