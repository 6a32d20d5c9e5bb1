package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A permanent logical slot from the {@code slots} key with three real daemons and PostgreSQL 15: made on the
 * primary, copied onto both replicas (state file and restart) and moved along there, and after a kill -9 of the
 * primary the promoted node holds it and a consumer gets, from it, exactly the changes it had not consumed yet.
 * The steps share one cluster, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogicalSlotsIT {
  static final int TTL = 8;
  LocalCluster cluster;
  NodeSpec oldPrimary;
  NodeSpec promoted;

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-logical-slots", 3, TTL, false);
    // wal_level logical for the slot; hot_standby_feedback so that the primary keeps the catalog rows the replicas'
    // copies still need for decoding (their catalog_xmin reaches it through the feedback).
    cluster.dcsParameters(Map.of("wal_level", "logical", "hot_standby_feedback", "on"));
    cluster.startAll();
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The logical slot ls1 on {@code n}: its confirmed_flush_lsn in bytes, or -1 when it has none. */
  private static long ls1(NodeSpec n) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT confirmed_flush_lsn - '0/0' FROM pg_replication_slots"
             + " WHERE slot_name = 'ls1' AND slot_type = 'logical' AND database = 'postgres'"
             + " AND plugin = 'test_decoding'")) {
      return rs.next() && rs.getBigDecimal(1) != null ? rs.getBigDecimal(1).longValueExact() : -1;
    }
  }

  private static long lsn(NodeSpec n, String sql) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql + " on " + n.name).isTrue();
      return rs.getBigDecimal(1).longValueExact();
    }
  }

  /** Consumes ls1 on {@code n}: the test_decoding lines of the changes it returns. */
  private static List<String> consume(NodeSpec n) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT data FROM pg_logical_slot_get_changes('ls1', NULL, NULL)")) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  @Test
  @Order(1)
  void theSlotIsMadeOnThePrimaryAndCopiedOntoBothReplicas() throws Exception {
    AtomicReference<NodeSpec> leader = new AtomicReference<>();
    cluster.eventually("a primary and two streaming replicas", Duration.ofSeconds(120), () -> {
      assertThat(cluster.primary()).isPresent();
      leader.set(cluster.primary().get());
      assertThat(cluster.streamingReplicas()).hasSize(2);
    });
    oldPrimary = leader.get();
    LocalCluster.HttpResult r = LocalCluster.patch(oldPrimary, "/config",
        "{\"slots\": {\"ls1\": {\"type\": \"logical\", \"database\": \"postgres\", \"plugin\": \"test_decoding\"}}}");
    assertThat(r.status()).as("PATCH /config: " + r.body()).isEqualTo(200);
    cluster.eventually("ls1 on the primary", Duration.ofSeconds(30),
        () -> assertThat(ls1(oldPrimary)).isPositive());
    cluster.eventually("ls1 copied onto both replicas", Duration.ofSeconds(90), () -> {
      for (NodeSpec n : cluster.nodes) {
        assertThat(ls1(n)).as("ls1 on " + n.name).isPositive();
      }
      assertThat(cluster.streamingReplicas()).as("both replicas stream again after their restart").hasSize(2);
    });
    for (NodeSpec n : cluster.nodes) {
      if (n != oldPrimary) {
        assertThat(Files.readString(n.log())).as(n.name + "'s daemon log")
            .contains("restarting PostgreSQL to load the logical slots [ls1]");
      }
    }
  }

  @Test
  @Order(2)
  void afterAFailoverTheNewPrimaryHoldsTheSlotAndNoConsumedChangeIsLost() throws Exception {
    LocalCluster.execute(oldPrimary, "CREATE TABLE it_cdc (v text PRIMARY KEY)",
        "INSERT INTO it_cdc VALUES ('consumed-1')", "INSERT INTO it_cdc VALUES ('consumed-2')");
    assertThat(consume(oldPrimary)).as("changes consumed on the old primary")
        .anyMatch(l -> l.contains("'consumed-1'")).anyMatch(l -> l.contains("'consumed-2'"));
    long consumed = ls1(oldPrimary);
    // The copies move to the consumed point: the primary publishes ls1's position, the replicas advance to it.
    cluster.eventually("the replicas' copies reach the consumed point", Duration.ofSeconds(60), () -> {
      for (NodeSpec n : cluster.nodes) {
        assertThat(ls1(n)).as("confirmed_flush of ls1 on " + n.name).isGreaterThanOrEqualTo(consumed);
      }
    });
    LocalCluster.execute(oldPrimary, "INSERT INTO it_cdc VALUES ('pending-1')",
        "INSERT INTO it_cdc VALUES ('pending-2')");
    long written = lsn(oldPrimary, "SELECT pg_current_wal_lsn() - '0/0'");
    // Asynchronous replication: only what the replicas replayed survives a kill -9; wait for it, so that a
    // missing change after the failover is the slot's fault.
    cluster.eventually("both replicas replayed the pending changes", Duration.ofSeconds(60), () -> {
      for (NodeSpec n : cluster.nodes) {
        if (n != oldPrimary) {
          assertThat(lsn(n, "SELECT pg_last_wal_replay_lsn() - '0/0'")).isGreaterThanOrEqualTo(written);
        }
      }
    });
    cluster.killDaemon(oldPrimary);
    cluster.killPostmaster(oldPrimary);
    cluster.eventually("a replica is promoted", Duration.ofSeconds(120),
        () -> assertThat(cluster.primary()).isPresent().get().isNotSameAs(oldPrimary));
    promoted = cluster.primary().get();
    assertThat(ls1(promoted)).as("ls1 on the new primary").isPositive();
    List<String> changes = consume(promoted);
    assertThat(changes).as("changes from ls1 on the new primary")
        .anyMatch(l -> l.contains("'pending-1'")).anyMatch(l -> l.contains("'pending-2'"))
        .noneMatch(l -> l.contains("'consumed-1'"));
  }

  /**
   * Removed from the key: dropped on the new primary (the copy there became pgquorum's when it was copied) and on
   * the remaining replica (its copy), once inactive; the old primary is down and keeps its own.
   */
  @Test
  @Order(3)
  void removedFromTheKeyTheSlotIsDroppedWherePgquorumMadeIt() throws Exception {
    NodeSpec remaining = cluster.nodes.stream().filter(n -> n != oldPrimary && n != promoted).findFirst().get();
    cluster.eventually("the remaining replica streams from the new primary", Duration.ofSeconds(90),
        () -> assertThat(cluster.streamingReplicas()).contains(remaining));
    LocalCluster.HttpResult r = LocalCluster.patch(promoted, "/config", "{\"slots\": null}");
    assertThat(r.status()).as("PATCH /config: " + r.body()).isEqualTo(200);
    cluster.eventually("ls1 gone from the new primary and the remaining replica", Duration.ofSeconds(60), () -> {
      assertThat(ls1(promoted)).as("ls1 on " + promoted.name).isEqualTo(-1);
      assertThat(ls1(remaining)).as("ls1 on " + remaining.name).isEqualTo(-1);
    });
  }
}
