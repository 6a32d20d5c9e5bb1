package io.pgquorum.dcs.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.ratis.DcsTuning;
import io.pgquorum.dcs.ratis.LeaseRefreshMode;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contract against a real three-member Ratis group whose members and clients refresh leases leader-locally
 * ({@link LeaseRefreshMode#LEADER_LOCAL}): the same answers as with logged refreshes. At the end, the local path
 * must really have served refreshes (a contract met only through the durable fallback proves nothing about it).
 */
class RatisLeaderLocalRefreshContractTest extends DcsContract {
  private static RatisTestCluster cluster;
  private static RatisDcsClient alice;
  private static RatisDcsClient bob;

  @BeforeAll
  static void start() {
    cluster = RatisTestCluster.start(3, DcsTuning.defaults().withLeaseRefresh(LeaseRefreshMode.LEADER_LOCAL),
        name -> null);
    cluster.awaitLeader(Duration.ofSeconds(30));
    alice = cluster.client("alice", "m1", Duration.ofSeconds(10));
    bob = cluster.client("bob", "m3", Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    try {
      assertThat(alice.leaderLocalRefreshes() + bob.leaderLocalRefreshes())
          .as("refreshes served by the leader without a log entry").isPositive();
    } finally {
      cluster.close();
    }
  }

  @Override
  protected Dcs alice() {
    return alice;
  }

  @Override
  protected Dcs bob() {
    return bob;
  }
}
