package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.ha.Decider;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Patroni 4's member slots on every node, with three real daemons and PostgreSQL 15: each replica keeps a copy of
 * the other replica's slot and of the leader's, so that after the leader dies the promoted replica already holds
 * the remaining replica's slot (it streams through it at once) and the old primary finds its slot when it rejoins.
 * A permanent physical slot from the {@code slots} key exists on every node. The steps share one cluster, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemberSlotsIT {
  static final int TTL = 8;
  LocalCluster cluster;
  NodeSpec oldPrimary;
  NodeSpec promoted;
  NodeSpec remaining;

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-member-slots", 3, TTL, false);
    cluster.startAll();
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<String> physicalSlots(NodeSpec n) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT slot_name FROM pg_replication_slots WHERE slot_type = 'physical'"
             + " AND restart_lsn IS NOT NULL ORDER BY 1")) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  private static String slot(NodeSpec n) {
    return Decider.slotName(n.name);
  }

  @Test
  @Order(1)
  void everyReplicaKeepsTheOtherReplicasSlotAndTheLeaders() throws Exception {
    AtomicReference<NodeSpec> leader = new AtomicReference<>();
    cluster.eventually("a primary and two streaming replicas", Duration.ofSeconds(120), () -> {
      assertThat(cluster.primary()).isPresent();
      leader.set(cluster.primary().get());
      assertThat(cluster.streamingReplicas()).hasSize(2);
    });
    oldPrimary = leader.get();
    List<NodeSpec> replicas = cluster.nodes.stream().filter(n -> n != oldPrimary).toList();
    cluster.eventually("each replica holds the other replica's slot and the leader's", Duration.ofSeconds(60),
        () -> {
          for (NodeSpec r : replicas) {
            NodeSpec other = replicas.get(0) == r ? replicas.get(1) : replicas.get(0);
            assertThat(physicalSlots(r)).as("slots on replica " + r.name)
                .contains(slot(other), slot(oldPrimary)).doesNotContain(slot(r));
          }
        });
    promoted = replicas.get(0);
    remaining = replicas.get(1);
    // The copies move along: after a write, each replica's copy of the leader's slot reaches the primary's
    // position (published in status, replayed here), so that it holds no WAL back on the replica.
    LocalCluster.execute(oldPrimary, "CREATE TABLE IF NOT EXISTS it_rows (v text PRIMARY KEY)",
        "INSERT INTO it_rows VALUES ('moves-the-copies')");
    long written = lsn(oldPrimary, "SELECT pg_current_wal_lsn() - '0/0'");
    cluster.eventually("the replicas' copies of the leader's slot reach the written position",
        Duration.ofSeconds(60), () -> {
          for (NodeSpec r : replicas) {
            assertThat(lsn(r, "SELECT restart_lsn - '0/0' FROM pg_replication_slots WHERE slot_name = '"
                + slot(oldPrimary) + "'")).as("restart_lsn of the leader's slot on " + r.name)
                .isGreaterThanOrEqualTo(written);
          }
        });
  }

  private static long lsn(NodeSpec n, String sql) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql + " on " + n.name).isTrue();
      return rs.getBigDecimal(1).longValueExact();
    }
  }

  @Test
  @Order(2)
  void afterAFailoverTheNewPrimaryAlreadyHoldsTheRemainingReplicasSlot() throws Exception {
    LocalCluster.execute(oldPrimary, "INSERT INTO it_rows VALUES ('before-failover')");
    cluster.killDaemon(oldPrimary);
    cluster.killPostmaster(oldPrimary);
    AtomicReference<List<String>> atPromotion = new AtomicReference<>();
    cluster.eventually("a replica is promoted", Duration.ofSeconds(120), () -> {
      assertThat(cluster.primary()).isPresent().get().isNotSameAs(oldPrimary);
      atPromotion.set(physicalSlots(cluster.primary().get()));
    });
    NodeSpec now = cluster.primary().get();
    NodeSpec other = now == promoted ? remaining : promoted;
    promoted = now;
    remaining = other;
    // Read on the first poll that saw the new primary: the slot was kept there as a copy while it was a replica,
    // not made by a later leader cycle.
    assertThat(atPromotion.get()).as("slots on the new primary when it first answered /primary")
        .contains(slot(remaining));
    cluster.eventually("the remaining replica streams from the new primary", Duration.ofSeconds(90), () ->
        assertThat(cluster.streamingReplicas()).contains(remaining));
    assertThat(cluster.pgLogs(remaining)).as("the remaining replica's PostgreSQL log")
        .doesNotContain("replication slot \"" + slot(remaining) + "\" does not exist");
  }

  @Test
  @Order(3)
  void theOldPrimaryFindsItsSlotOnTheNewPrimaryWhenItRejoins() throws Exception {
    cluster.start(oldPrimary);
    cluster.eventually("the old primary streams from the new one through its slot", Duration.ofSeconds(120), () -> {
      assertThat(cluster.streamingReplicas()).contains(oldPrimary, remaining);
      assertThat(physicalSlots(promoted)).contains(slot(oldPrimary), slot(remaining));
    });
    cluster.eventually("the replicas hold each other's slot and the new leader's", Duration.ofSeconds(60), () -> {
      assertThat(physicalSlots(oldPrimary)).contains(slot(remaining), slot(promoted));
      assertThat(physicalSlots(remaining)).contains(slot(oldPrimary), slot(promoted));
    });
  }

  @Test
  @Order(4)
  void aPermanentPhysicalSlotExistsOnEveryNode() throws Exception {
    LocalCluster.HttpResult r = LocalCluster.patch(promoted, "/config",
        "{\"slots\": {\"it_backup\": {\"type\": \"physical\"}}}");
    assertThat(r.status()).as("PATCH /config: " + r.body()).isEqualTo(200);
    cluster.eventually("it_backup on the primary and both replicas", Duration.ofSeconds(60), () -> {
      for (NodeSpec n : cluster.nodes) {
        assertThat(physicalSlots(n)).as("slots on " + n.name).contains("it_backup");
      }
    });
    r = LocalCluster.patch(promoted, "/config", "{\"slots\": null}");
    assertThat(r.status()).as("PATCH /config: " + r.body()).isEqualTo(200);
    cluster.eventually("it_backup gone from every node once removed from the config", Duration.ofSeconds(60), () -> {
      for (NodeSpec n : cluster.nodes) {
        assertThat(physicalSlots(n)).as("slots on " + n.name).doesNotContain("it_backup");
      }
    });
  }

  /**
   * {@code member_slots_ttl} (Patroni 4's, default 30 min): a replica whose daemon and PostgreSQL are down loses its
   * member key, but the leader keeps its slot, published in {@code status.retain_slots} and so copied on the other
   * replica, and the member streams from where it stopped when it comes back. With {@code member_slots_ttl: 0} the
   * slot goes with the member key, on the leader and on the replica.
   *
   * <p>Why two writes: the leader publishes a new status when its position moves, from the snapshot its cycle read
   * first; a write made after the member key was seen gone, once published, comes from a cycle that may have read
   * its snapshot just before. The second write's publication surely comes from a snapshot without the member.
   */
  @Test
  @Order(5)
  void aGoneMembersSlotIsKeptForMemberSlotsTtl() throws Exception {
    NodeSpec away = remaining;
    cluster.killDaemon(away);
    cluster.killPostmaster(away);
    cluster.eventually(away.name + "'s member key expires", Duration.ofSeconds(60),
        () -> assertThat(memberKeyExists(away)).isFalse());
    for (String row : List.of("while-away-1", "while-away-2")) {
      LocalCluster.execute(promoted, "INSERT INTO it_rows VALUES ('" + row + "')");
      long written = lsn(promoted, "SELECT pg_current_wal_lsn() - '0/0'");
      cluster.eventually("the leader publishes the position after '" + row + "'", Duration.ofSeconds(60),
          () -> assertThat(statusKey().path("optime").asLong()).isGreaterThanOrEqualTo(written));
    }
    assertThat(retainSlots()).as("status.retain_slots with " + away.name + " gone").contains(slot(away));
    assertThat(physicalSlots(promoted)).as("slots on the leader").contains(slot(away));
    cluster.eventually("the other replica keeps its copy", Duration.ofSeconds(30),
        () -> assertThat(physicalSlots(oldPrimary)).contains(slot(away)));

    cluster.start(away);
    cluster.eventually(away.name + " streams again", Duration.ofSeconds(120),
        () -> assertThat(cluster.streamingReplicas()).contains(away));
    assertThat(cluster.pgLogs(away)).doesNotContain("replication slot \"" + slot(away) + "\" does not exist");

    LocalCluster.HttpResult r = LocalCluster.patch(promoted, "/config", "{\"member_slots_ttl\": 0}");
    assertThat(r.status()).as("PATCH /config: " + r.body()).isEqualTo(200);
    cluster.killDaemon(away);
    cluster.killPostmaster(away);
    cluster.eventually("with member_slots_ttl 0, " + away.name + "'s slot goes with its member key",
        Duration.ofSeconds(60), () -> {
          assertThat(memberKeyExists(away)).isFalse();
          assertThat(physicalSlots(promoted)).as("slots on the leader").doesNotContain(slot(away));
          assertThat(physicalSlots(oldPrimary)).as("slots on the replica").doesNotContain(slot(away));
          assertThat(retainSlots()).doesNotContain(slot(away));
        });
  }

  private boolean memberKeyExists(NodeSpec n) {
    try (RatisDcsClient dcs = cluster.dcsClient()) {
      return dcs.get(cluster.dcsKey("members/" + n.name)).isPresent();
    }
  }

  private com.fasterxml.jackson.databind.JsonNode statusKey() throws java.io.IOException {
    try (RatisDcsClient dcs = cluster.dcsClient()) {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(
          dcs.get(cluster.dcsKey("status")).map(kv -> kv.value()).orElse("{}"));
    }
  }

  private List<String> retainSlots() throws java.io.IOException {
    List<String> out = new ArrayList<>();
    statusKey().path("retain_slots").forEach(n -> out.add(n.asText()));
    return out;
  }
}
