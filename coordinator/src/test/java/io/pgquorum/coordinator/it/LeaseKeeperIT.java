package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.ha.HaLoop;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The lease keeper with real daemons and PostgreSQL: the primary's HA loop stalls for 1.5 ttl (the test hook
 * {@code stall-ha-loop}, triggered by a file next to the data directory), longer than the lease, shorter than the
 * keeper's license (2 ttl). The keeper refreshes the lock on its own thread, so the primary keeps its lease: no
 * fence, and no other node ever answers as primary. {@link NoLeaseKeeperIT} is the same stall with the keeper
 * planted away: the lease runs out, PostgreSQL is fenced and a replica takes over, so this test can fail.
 */
@Tag("serial") // run alone after the parallel pass (coordinator/pom.xml): loop stalls timed against the keeper
class LeaseKeeperIT {
  static final int TTL = 8;
  static final String STALLS = "PLANTED BUG stall-ha-loop: the HA loop stalls for";
  static final String RESUMES = "PLANTED BUG stall-ha-loop: the HA loop resumes after its stall";
  static final String GUARD_FENCE = "demoting self because the leader lease could not be refreshed before its deadline";

  @Test
  void aPrimaryWhoseLoopStallsLongerThanTheTtlKeepsItsLease() throws Exception {
    try (LocalCluster cluster = new LocalCluster("it-keeper", 3, TTL, false)) {
      NodeSpec primary = stallThePrimarysLoop(cluster, "stall-ha-loop");
      long token = fencingToken(primary);
      Set<String> othersAsPrimary = new ConcurrentSkipListSet<>();
      // Polled throughout the stall: a failover would show as another node answering /primary.
      await("the stalled loop resumes").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> {
            for (NodeSpec n : cluster.nodes) {
              if (n != primary && LocalCluster.get(n, "/primary").status() == 200) {
                othersAsPrimary.add(n.name);
              }
            }
            return cluster.logs(primary).contains(RESUMES);
          });
      assertThat(othersAsPrimary).isEmpty();
      String log = cluster.logs(primary);
      assertThat(log).contains("the lease keeper refreshed the leader lock").doesNotContain(GUARD_FENCE);
      // The loop's own cycles go on from there with the same lock: the primary and its fencing token are unchanged.
      await("one primary after the stall").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .until(() -> cluster.primary().isPresent());
      assertThat(cluster.primary()).hasValue(primary);
      assertThat(fencingToken(primary)).isEqualTo(token);
    }
  }

  /**
   * Starts the cluster with {@code bugs} planted, waits for a primary and two streaming replicas, and triggers the
   * stall of the primary's loop; returns once the primary's log says the loop stalls.
   */
  static NodeSpec stallThePrimarysLoop(LocalCluster cluster, String bugs) throws Exception {
    cluster.daemonEnv.put("PGQUORUM_PLANTED_BUG", bugs);
    cluster.daemonEnv.put("PGQUORUM_TEST_HARNESS", "plant-bugs");
    cluster.startAll();
    NodeSpec primary = DaemonPauseFencingIT.awaitPrimary(cluster, Duration.ofSeconds(120));
    DaemonPauseFencingIT.awaitReplicas(cluster, 2, Duration.ofSeconds(120));
    Files.writeString(primary.dataDir().resolveSibling(HaLoop.STALL_TRIGGER), "");
    await("the primary's loop stalls").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.logs(primary).contains(STALLS));
    return primary;
  }

  static long fencingToken(NodeSpec n) {
    return LocalCluster.get(n, "/patroni").json().path("fencing_token").asLong();
  }
}
