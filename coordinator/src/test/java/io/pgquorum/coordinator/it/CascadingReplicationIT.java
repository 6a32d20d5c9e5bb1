package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.ha.Decider;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Patroni's {@code clonefrom} and {@code replicatefrom} tags with real daemons and PostgreSQL 15: node1 leads (the
 * others are tagged nofailover, so only node1 may bootstrap or take the lock: the roles are fixed, not raced);
 * node2 is a clonefrom replica; node3, started once node2 streams, clones from node2 and streams from it
 * (replicatefrom), with its slot on node2; with the tag removed, node2 stops streaming it through that slot;
 * when node2's node stops, node3 falls back to the leader. The steps share one cluster, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CascadingReplicationIT {
  static final int TTL = 8;
  LocalCluster cluster;
  NodeSpec leader;
  NodeSpec middle;
  NodeSpec cascaded;

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-cascade", 3, TTL, false);
    leader = cluster.nodes.get(0);
    middle = cluster.nodes.get(1);
    cascaded = cluster.nodes.get(2);
    cluster.appendYaml(middle, "tags:\n  nofailover: true\n  clonefrom: true\n");
    cluster.appendYaml(cascaded, "tags:\n  nofailover: true\n  replicatefrom: " + middle.name + "\n");
    // node1 and node2 are a DCS majority of the three voters; node3 starts later, so that node2 is already a
    // running clonefrom replica when node3 looks for a source to clone.
    cluster.start(leader);
    cluster.start(middle);
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Awaits {@code check} (assertions) within {@code within}, adding the daemons' log tails to a failure. */
  private void eventually(String what, Duration within, ThrowingRunnable check) {
    cluster.eventually(what, within, check);
  }

  private static List<String> strings(NodeSpec n, String sql) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  /** application_name of every walsender on {@code n} that is streaming. */
  private static List<String> streamingTo(NodeSpec n) throws SQLException {
    return strings(n, "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'");
  }

  private static Optional<Integer> walReceiverSenderPort(NodeSpec n) throws SQLException {
    return strings(n, "SELECT sender_port FROM pg_stat_wal_receiver WHERE status = 'streaming'").stream()
        .findFirst().map(Integer::valueOf);
  }

  /** Whether {@code n} holds an active physical slot named for {@code member}. */
  private static boolean activeSlotFor(NodeSpec n, String member) throws SQLException {
    try (Connection c = LocalCluster.connect(n); PreparedStatement s = c.prepareStatement(
        "SELECT active FROM pg_replication_slots WHERE slot_type = 'physical' AND slot_name = ?")) {
      s.setString(1, Decider.slotName(member));
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private static void write(NodeSpec n, String value) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS it_rows (v text PRIMARY KEY)");
      s.execute("INSERT INTO it_rows VALUES ('" + value + "') ON CONFLICT DO NOTHING");
    }
  }

  private static boolean hasRow(NodeSpec n, String value) throws SQLException {
    return strings(n, "SELECT v FROM it_rows WHERE v = '" + value + "'").size() == 1;
  }

  @Test
  @Order(1)
  void aNewNodeClonesFromTheClonefromReplica() throws Exception {
    eventually("node1 primary, node2 streaming", Duration.ofSeconds(90), () -> {
      assertThat(cluster.primary()).contains(leader);
      assertThat(LocalCluster.get(middle, "/replica?replication_state=streaming").status()).isEqualTo(200);
    });
    cluster.start(cascaded);
    eventually("node3 streaming", Duration.ofSeconds(90), () ->
        assertThat(LocalCluster.get(cascaded, "/replica?replication_state=streaming").status()).isEqualTo(200));
    String cloned = "trying to bootstrap from replica '" + middle.name + "' (clonefrom)";
    assertThat(cluster.logs(cascaded).contains(cloned)).as("node3's log says: " + cloned + cluster.diagnostics())
        .isTrue();
    // Issue 17, item 8: its slot on node2 was made before its first connection: PostgreSQL never asked for a slot
    // that did not exist (before, one failed connection after the clone, then a retry).
    assertThat(cluster.pgLogs(cascaded)).as("node3's PostgreSQL log").contains("started streaming WAL")
        .doesNotContain("does not exist");
  }

  @Test
  @Order(2)
  void theReplicatefromReplicaStreamsFromItsMemberWithItsSlotThere() throws Exception {
    eventually("node3 streams from node2, not from the leader", Duration.ofSeconds(60), () -> {
      assertThat(streamingTo(middle)).contains(cascaded.name);
      assertThat(streamingTo(leader)).contains(middle.name).doesNotContain(cascaded.name);
      assertThat(walReceiverSenderPort(cascaded)).contains(middle.pgPort);
    });
    assertThat(cluster.useSlots()).isTrue();
    eventually("node2 holds node3's slot, the leader none", Duration.ofSeconds(30), () -> {
      assertThat(activeSlotFor(middle, cascaded.name)).as("node3's slot on node2, active").isTrue();
      assertThat(strings(leader, "SELECT slot_name FROM pg_replication_slots"))
          .as("the leader keeps no slot for a member that cascades from another")
          .doesNotContain(Decider.slotName(cascaded.name));
    });
    write(leader, "through-node2");
    eventually("the leader's row reaches node3 through node2", Duration.ofSeconds(30), () ->
        assertThat(hasRow(cascaded, "through-node2")).isTrue());
  }

  /**
   * Issue 17: node3's replicatefrom tag is removed (its daemon restarted with the tag gone): node3 follows the
   * leader, and node2's slot for node3 is no longer streamed through (Patroni 4: kept as a copy, moved to the leader's
   * published position for it, so that it holds no WAL on node2 for ever).
   */
  @Test
  @Order(3)
  void withTheTagRemovedTheFormerUpstreamDropsItsSlot() throws Exception {
    assertThat(cluster.terminateDaemon(cascaded, Duration.ofSeconds(60))).as("node3's daemon exits on SIGTERM")
        .isTrue();
    cluster.replaceYaml(cascaded, "tags:\n  nofailover: true\n");
    cluster.start(cascaded);
    eventually("node3 streams from the leader, its slot there", Duration.ofSeconds(90), () -> {
      assertThat(walReceiverSenderPort(cascaded)).contains(leader.pgPort);
      assertThat(activeSlotFor(leader, cascaded.name)).as("node3's slot on the leader, active").isTrue();
    });
    // Patroni 4: node2 keeps a copy of node3's slot (the leader keeps one now and publishes it in status), no
    // longer streamed through but moved along to the leader's position, so it holds no WAL back for ever.
    eventually("node2's slot for node3 no longer active", Duration.ofSeconds(30), () ->
        assertThat(activeSlotFor(middle, cascaded.name)).isFalse());
    // Back to the tagged set-up for the next step: node3 streams from node2 again, with its slot there.
    assertThat(cluster.terminateDaemon(cascaded, Duration.ofSeconds(60))).isTrue();
    cluster.replaceYaml(cascaded, "tags:\n  nofailover: true\n  replicatefrom: " + middle.name + "\n");
    cluster.start(cascaded);
    eventually("node3 streams from node2 again", Duration.ofSeconds(90), () -> {
      assertThat(walReceiverSenderPort(cascaded)).contains(middle.pgPort);
      assertThat(activeSlotFor(middle, cascaded.name)).isTrue();
    });
  }

  @Test
  @Order(4)
  void withItsMemberStoppedTheReplicaFallsBackToTheLeader() throws Exception {
    assertThat(cluster.terminateDaemon(middle, Duration.ofSeconds(60))).as("node2's daemon exits on SIGTERM").isTrue();
    assertThat(cluster.postmasterPid(middle).filter(pid -> ProcessHandle.of(pid).isPresent()))
        .as("SIGTERM stops node2's PostgreSQL").isEmpty();
    eventually("node3 streams from the leader", Duration.ofSeconds(60), () -> {
      assertThat(streamingTo(leader)).contains(cascaded.name);
      assertThat(walReceiverSenderPort(cascaded)).contains(leader.pgPort);
      assertThat(activeSlotFor(leader, cascaded.name)).as("node3's slot on the leader, active").isTrue();
    });
    write(leader, "after-node2-stopped");
    eventually("a new row reaches node3 from the leader", Duration.ofSeconds(30), () ->
        assertThat(hasRow(cascaded, "after-node2-stopped")).isTrue());
  }
}
