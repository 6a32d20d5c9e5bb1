package io.pgquorum.coordinator.postgres;

import static io.pgquorum.coordinator.postgres.PgTestSupport.execute;
import static io.pgquorum.coordinator.postgres.PgTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A switchover's promotion: the standby's upstream has just stopped, and the promotion (token reload, then the
 * promote request) arrives while the startup process cycles between its WAL sources. With a long
 * {@code wal_retrieve_retry_interval} PostgreSQL 15 can take the request and then sleep out the interval before it
 * acts on it (see AdminSession#promote); the promotion must complete anyway, within {@code pg_ctl_timeout}, and
 * several times in a row (the sleep is hit only when the request lands in one phase of that cycle).
 */
class PromoteAfterUpstreamLossTest {
  private PgTestSupport support;
  /** An hour: a request the startup process sleeps on would make the promotion run out of pg_ctl_timeout. */
  private final AtomicReference<DynamicConfig> dynamic = new AtomicReference<>(
      TestNodes.dynamic(true, Map.of("wal_retrieve_retry_interval", "1h")));

  @BeforeEach
  void setUp() throws Exception {
    support = new PgTestSupport();
  }

  @AfterEach
  void tearDown() throws Exception {
    support.close();
  }

  @Test
  void aStandbyWhoseUpstreamJustStoppedIsPromotedEveryTime() throws Exception {
    NodeConfig n1 = support.node("n1").build();
    NodeConfig n2 = support.node("n2").build();
    LocalPostgres a = new LocalPostgres(n1, dynamic::get);
    LocalPostgres b = new LocalPostgres(n2, dynamic::get);
    a.bootstrap();
    a.startPrimary(1);
    long token = 1;
    LocalPostgres primary = a;
    LocalPostgres standby = b;
    NodeConfig primaryNode = n1;
    NodeConfig standbyNode = n2;
    a.syncReplicationSlots(java.util.Set.of("n2")); // use_slots: a standby streams through its slot
    standby.cloneReplica(upstream(primaryNode));
    standby.startReplica(upstream(primaryNode));
    for (int round = 1; round <= 3; round++) {
      execute(primaryNode, "CREATE TABLE IF NOT EXISTS t (round int)");
      execute(primaryNode, "INSERT INTO t VALUES (" + round + ")");
      NodeConfig following = standbyNode;
      String seen = Integer.toString(round);
      await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions()
          .until(() -> seen.equals(queryString(following, "SELECT max(round) FROM t")));
      primary.checkpoint();
      primary.stop(StopMode.FAST);

      token++;
      standby.promote(token);

      assertThat(queryString(standbyNode, "SELECT pg_is_in_recovery()")).as("round %d", round).isEqualTo("f");
      assertThat(queryString(standbyNode, "SELECT max(round) FROM t")).as("round %d", round)
          .isEqualTo(Integer.toString(round));
      // The old primary follows the new one (a clean fast stop: no rewind needed), and the roles swap.
      standby.syncReplicationSlots(java.util.Set.of(primaryNode.name()));
      primary.startReplica(upstream(standbyNode));
      LocalPostgres p = primary;
      primary = standby;
      standby = p;
      NodeConfig n = primaryNode;
      primaryNode = standbyNode;
      standbyNode = n;
    }
  }

  private static Upstream upstream(NodeConfig n) {
    return new Upstream(n.name(), "127.0.0.1", n.postgresql().listen().port());
  }
}
