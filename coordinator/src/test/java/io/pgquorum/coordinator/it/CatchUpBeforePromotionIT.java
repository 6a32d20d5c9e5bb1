package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.testkit.proc.Signals;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 14, catch-up before promotion, with real daemons and PostgreSQL 15: the only node allowed to fail over
 * (node2) is behind a replica that may not (node3, tagged nofailover), and the primary dies. Without the catch-up
 * node2 promotes with what it has and the rows only node3 received are gone from the cluster's line for good (node3
 * then follows node2 and is rewound or re-cloned). With it, node2 takes the lock, streams the missing WAL from node3,
 * replays it and only then promotes: the rows the dead primary acknowledged survive.
 *
 * <p>How node2 is held behind without touching its daemon or its settings: the primary's walsender serving node2 is
 * stopped with SIGSTOP before the rows are written, so node2 receives nothing of them, while node3 streams them. A
 * pause of node2's replay would not do: promotion replays whatever node2 already received. The stopped walsender
 * never read the rows' WAL, so nothing of them sits in a socket buffer either; it is killed with the primary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatchUpBeforePromotionIT {
  static final int TTL = 8;
  static final int ROWS = 50;
  LocalCluster cluster;
  NodeSpec primary;
  NodeSpec candidate;
  NodeSpec ahead;

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-catchup", 3, TTL, false);
    primary = cluster.nodes.get(0);
    candidate = cluster.nodes.get(1);
    ahead = cluster.nodes.get(2);
    cluster.appendYaml(ahead, "tags:\n  nofailover: true\n");
    // node1 and node3 are a DCS majority, and node3 may not bootstrap: node1 becomes the primary.
    cluster.start(primary);
    cluster.start(ahead);
    cluster.awaitCondition(Duration.ofSeconds(90), "node1 primary", () -> cluster.primary()
        .map(p -> p == primary).orElse(false));
    cluster.start(candidate);
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static long count(NodeSpec n, String sql) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long onlyOnAhead(NodeSpec n) throws SQLException {
    return count(n, "SELECT count(*) FROM catchup_rows WHERE v LIKE 'only-on-node3-%'");
  }

  @Test
  void promotedNodeHasTheRowsOnlyTheNofailoverReplicaReceived() throws Exception {
    cluster.awaitHealthy(Duration.ofSeconds(120), "before the test", 2);
    LocalCluster.execute(primary, "CREATE TABLE catchup_rows (v text PRIMARY KEY)",
        "INSERT INTO catchup_rows VALUES ('before')");
    for (NodeSpec r : List.of(candidate, ahead)) {
      cluster.awaitCondition(Duration.ofSeconds(30), "'before' on " + r.name,
          () -> count(r, "SELECT count(*) FROM catchup_rows") == 1);
    }
    long walsender = count(primary, "SELECT pid FROM pg_stat_replication WHERE application_name = '"
        + candidate.name + "'");
    Signals.sendChecked("STOP", walsender);
    for (int i = 0; i < ROWS; i++) {
      // Autocommit, asynchronous replication: each row is acknowledged by the primary alone.
      LocalCluster.execute(primary, "INSERT INTO catchup_rows VALUES ('only-on-node3-" + i + "')");
    }
    cluster.awaitCondition(Duration.ofSeconds(30), "the rows on node3", () -> onlyOnAhead(ahead) == ROWS);
    assertThat(onlyOnAhead(candidate)).as("node2 received none of the rows (its walsender is stopped)").isZero();

    cluster.killDaemon(primary);
    cluster.killPostmaster(primary);
    // The stopped walsender would otherwise hold node2's replication connection open (it cannot notice the
    // postmaster's death while stopped); it never sent the rows, so killing it gives node2 nothing.
    Signals.send("KILL", List.of(walsender));

    cluster.awaitCondition(Duration.ofSeconds(90), "node2 promoted", () -> cluster.primary()
        .map(p -> p == candidate).orElse(false));
    cluster.explainFailures(() -> assertThat(onlyOnAhead(candidate))
        .as("the promoted node has every row the dead primary acknowledged and node3 received")
        .isEqualTo(ROWS));
    Optional<String> said = cluster.logs(candidate).lines().filter(l -> l.contains("catching up from " + ahead.name))
        .findFirst();
    assertThat(said).as("node2's log says it caught up from node3 before promoting").isPresent();
  }
}
