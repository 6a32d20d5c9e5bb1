package io.pgquorum.dcs.contract;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract against a real three-member Ratis group over loopback gRPC. */
class RatisDcsContractTest extends DcsContract {
  private static RatisTestCluster cluster;
  private static Dcs alice;
  private static Dcs bob;

  @BeforeAll
  static void start() {
    cluster = RatisTestCluster.start(3);
    cluster.awaitLeader(Duration.ofSeconds(30));
    // Clients whose local reads go to different members, so both leader and follower paths are exercised.
    alice = cluster.client("alice", "m1", Duration.ofSeconds(10));
    bob = cluster.client("bob", "m3", Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    cluster.close();
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
