package io.pgquorum.dcs.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.api.WatchResult;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link DcsServer#watchLocal}: a wait on one member's own applied state, over a real three-member Ratis group. What
 * the HA loop's replicas wait on between cycles, so it must wake on a change committed through another member (the
 * follower learns it from the leader's appends), and only on a change under the watched prefixes.
 */
class LocalWatchTest {
  private static final Duration ELECTION = Duration.ofSeconds(30);

  @Test
  void aFollowersLocalWatchWakesOnAChangeCommittedElsewhereUnderItsPrefixesOnly() throws Exception {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      String leader = cluster.awaitLeader(ELECTION);
      String follower = cluster.runningMembers().stream().filter(m -> !m.equals(leader)).findFirst().orElseThrow();
      RatisDcsClient writer = cluster.client("writer", leader, Duration.ofSeconds(10));
      long start = writer.put("/service/t/members/n1", "a").revision();
      DcsServer member = cluster.member(follower);

      CompletableFuture<WatchResult> waiting = CompletableFuture.supplyAsync(() -> member.watchLocal(
          List.of("/service/t/leader", "/service/t/config"), start, Duration.ofSeconds(60)));
      writer.put("/service/t/members/n1", "b"); // not watched
      long leaderKey = writer.put("/service/t/leader", "n1").revision();

      WatchResult woke = waiting.get(60, TimeUnit.SECONDS);
      assertThat(woke.changed()).isTrue();
      assertThat(woke.revision()).as("woken by the leader key's write, not the member key's").isEqualTo(leaderKey);
      // Already applied: answered at once from the member's history.
      assertThat(member.watchLocal(List.of("/service/t/config", "/service/t/leader"), start, Duration.ofSeconds(60)))
          .isEqualTo(new WatchResult(true, leaderKey));
    }
  }

  @Test
  void aLocalWatchWithoutAChangeEndsUnchangedAtItsWait() {
    try (RatisTestCluster cluster = RatisTestCluster.start(3)) {
      String leader = cluster.awaitLeader(ELECTION);
      RatisDcsClient writer = cluster.client("writer", leader, Duration.ofSeconds(10));
      long rev = writer.put("/service/t/leader", "n1").revision();
      for (String m : cluster.runningMembers()) {
        WatchResult r = cluster.member(m).watchLocal(List.of("/service/t/leader"), rev, Duration.ofMillis(200));
        assertThat(r.changed()).as(m).isFalse();
      }
    }
  }
}
