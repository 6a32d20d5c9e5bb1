package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The control experiment for {@link LeaseKeeperIT}: the same stall of the primary's HA loop (1.5 ttl) with the lease
 * keeper planted away ({@code no-lease-keeper}). Nothing refreshes the lock while the loop is blocked, so the lease
 * guard fences PostgreSQL at the deadline and a replica takes over: the spurious failover the keeper prevents. In
 * the long profile ({@code -Plong}).
 */
@Tag("long")
@Tag("serial") // run alone after the parallel pass (coordinator/pom.xml): loop stalls timed against the lease
class NoLeaseKeeperIT {

  @Test
  void withoutTheKeeperAStalledLoopCostsTheLeaseAndAReplicaTakesOver() throws Exception {
    try (LocalCluster cluster = new LocalCluster("it-nokeeper", 3, LeaseKeeperIT.TTL, false)) {
      NodeSpec old = LeaseKeeperIT.stallThePrimarysLoop(cluster, "stall-ha-loop,no-lease-keeper");
      AtomicReference<NodeSpec> next = new AtomicReference<>();
      await("another node answers as primary").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> {
            for (NodeSpec n : cluster.nodes) {
              if (n != old && LocalCluster.get(n, "/primary").status() == 200) {
                next.set(n);
              }
            }
            return next.get() != null;
          });
      assertThat(cluster.logs(old)).contains(LeaseKeeperIT.GUARD_FENCE)
          .doesNotContain("the lease keeper refreshed the leader lock");
      assertThat(LeaseKeeperIT.fencingToken(next.get())).isGreaterThan(0);
    }
  }
}
