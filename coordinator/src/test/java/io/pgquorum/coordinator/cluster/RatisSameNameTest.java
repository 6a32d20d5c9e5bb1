package io.pgquorum.coordinator.cluster;

import io.pgquorum.dcs.api.Dcs;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link SameNameContract} against a real three-member Ratis group over loopback gRPC. */
class RatisSameNameTest extends SameNameContract {
  private static RatisTestCluster group;
  private static int next;

  @BeforeAll
  static void start() {
    group = RatisTestCluster.start(3);
    group.awaitLeader(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    group.close();
  }

  @Override
  protected synchronized Dcs client(String ownerId) {
    // Spread the clients over the members, so the two daemons' local reads go through different members.
    return group.client(ownerId, "m" + (1 + next++ % 3), Duration.ofSeconds(10)); // closed with the group
  }
}
