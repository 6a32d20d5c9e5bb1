package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.dcs.testing.RatisTestCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link DcsServer#leadership()} on a real three-member group: what the coordinator samples to move Raft leadership
 * off the primary's node, and the transfer it then asks for.
 */
class LeadershipHandOffTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);

  @Test
  void theLeaderNamesItsReachableVotersAndHandsLeadershipToOne() {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      String leader = leaderHearingBoth(cluster);
      DcsServer lead = cluster.member(leader);
      DcsServer.Leadership l = lead.leadership();
      assertThat(l.leader()).isTrue();
      assertThat(l.reachableVoters()).doesNotContain(lead.memberId()).isSorted();
      for (String m : cluster.runningMembers()) {
        if (!m.equals(leader)) {
          assertThat(cluster.member(m).leadership()).as(m).isEqualTo(new DcsServer.Leadership(false,
              java.util.List.of()));
        }
      }

      String target = l.reachableVoters().get(0);
      try (RatisDcsClient client = cluster.client("hand-off")) {
        client.transferLeadership(target, Duration.ofSeconds(5));
      }
      await("the target leads").atMost(WITHIN).until(() -> cluster.member(memberName(cluster, target)).isLeader());
      assertThat(lead.leadership().leader()).as("the former leader").isFalse();
    }
  }

  @Test
  void aVoterThatStoppedAnsweringIsNoTarget() {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      String leader = leaderHearingBoth(cluster);
      DcsServer lead = cluster.member(leader);
      String stopped = cluster.runningMembers().stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
      String stoppedId = cluster.member(stopped).memberId();
      cluster.stopMember(stopped);
      await("the stopped voter drops out").atMost(WITHIN)
          .until(() -> !lead.leadership().reachableVoters().contains(stoppedId));
      assertThat(lead.leadership().reachableVoters()).hasSize(1);
    }
  }

  @Test
  void rolesAsksEveryConfiguredMemberItselfAndFollowsATransfer() {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      RatisDcsClient client = cluster.client("roles"); // closed with the cluster
      String leader = cluster.awaitLeader(WITHIN);
      String leaderId = cluster.member(leader).memberId();
      await("the leader says leader, the others follower").atMost(WITHIN)
          .until(() -> client.roles().entrySet().stream()
              .allMatch(e -> e.getValue().equals(e.getKey().equals(leaderId) ? "leader" : "follower")));
      assertThat(client.roles()).hasSize(3);

      String target = client.roles().keySet().stream().filter(id -> !id.equals(leaderId)).findFirst().orElseThrow();
      client.transferLeadership(target, Duration.ofSeconds(5));
      await("the target says leader").atMost(WITHIN).until(() -> "leader".equals(client.roles().get(target)));

      String stopped = memberName(cluster, leaderId);
      cluster.stopMember(stopped);
      await("a stopped member is unreachable").atMost(WITHIN)
          .until(() -> "unreachable".equals(client.roles().get(leaderId)));
    }
  }

  /** The leader, once it has heard from both other voters (heartbeat replies arrive within the election timeout). */
  private static String leaderHearingBoth(RatisTestCluster cluster) {
    String leader = cluster.awaitLeader(WITHIN);
    await("the leader hears from both voters").atMost(WITHIN)
        .until(() -> cluster.member(leader).leadership().reachableVoters().size() == 2);
    return leader;
  }

  private static String memberName(RatisTestCluster cluster, String memberId) {
    return cluster.runningMembers().stream().filter(m -> cluster.member(m).memberId().equals(memberId)).findFirst()
        .orElseThrow(() -> new AssertionError("no running member with id " + memberId));
  }
}
