package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A standby cluster (Patroni's disaster-recovery setup, issue 17): two nodes (and a DCS witness that runs no
 * PostgreSQL, so the DCS keeps its majority when one node dies) whose dynamic configuration has
 * {@code standby_cluster} pointing at the primary of a three-node cluster. The first standby node bootstraps by
 * cloning the remote and becomes the standby leader (streaming from the remote, never promoted); the second clones
 * from it and cascades. Writes on the source reach both. When the standby leader dies (daemon and PostgreSQL
 * killed), the other node takes the lock and follows the remote itself. Removing the section from the standby
 * cluster's config key promotes it: its leader becomes a writable primary holding exactly the source's data.
 */
class StandbyClusterIT {
  static final int TTL = 8;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration STEP = Duration.ofSeconds(90);

  @Test
  void aStandbyClusterFollowsFailsOverAndIsPromoted() throws Exception {
    long began = System.nanoTime();
    try (LocalCluster source = new LocalCluster("it-source", 3, TTL, false);
        LocalCluster standby = new LocalCluster("it-standby", 2, TTL, false)) {
      source.startAll();
      NodeSpec primary = DaemonPauseFencingIT.awaitPrimary(source, START);
      DaemonPauseFencingIT.awaitReplicas(source, 2, START);
      execute(primary, "CREATE TABLE dr (id int PRIMARY KEY, v text NOT NULL)");
      insert(primary, 1, 100);

      standby.standbyOf("127.0.0.1", primary.pgPort);
      // Two database nodes and a DCS witness: the DCS must keep a majority when the standby leader dies.
      standby.addWitness();
      standby.startWitness();
      standby.startAll();
      NodeSpec leader = awaitStandbyLeader(standby, START);
      NodeSpec other = standby.nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
      await("the other standby node cascades from the standby leader" + standby.diagnostics()).atMost(START)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> standby.streamingReplicas().equals(List.of(other)));
      assertStandbyLeaderRest(standby, leader);
      assertThat(upstreamPort(other)).as("the cascading node streams from the standby leader")
          .isEqualTo(leader.pgPort);
      assertThat(upstreamPort(leader)).as("the standby leader streams from the remote primary")
          .isEqualTo(primary.pgPort);

      insert(primary, 101, 200);
      String afterSecondBatch = fingerprint(primary);
      awaitSameData(standby, List.of(leader, other), afterSecondBatch);

      // Kill -9 the standby leader: its daemon, then its PostgreSQL.
      standby.killDaemon(leader);
      standby.killPostmaster(leader);
      NodeSpec newLeader = awaitStandbyLeader(standby, STEP);
      assertThat(newLeader).isEqualTo(other);
      assertStandbyLeaderRest(standby, newLeader);
      await("the new standby leader streams from the remote primary" + standby.diagnostics()).atMost(STEP)
          .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .until(() -> upstreamPort(newLeader) == primary.pgPort);
      insert(primary, 201, 300);
      String beforePromotion = fingerprint(primary);
      awaitSameData(standby, List.of(newLeader), beforePromotion);

      // Promote the standby cluster: remove standby_cluster from its config key.
      try (RatisDcsClient dcs = standby.dcsClient()) {
        KeyValue config = dcs.get(standby.dcsKey("config")).orElseThrow();
        ObjectNode doc = (ObjectNode) JSON.readTree(config.value());
        assertThat(doc.has("standby_cluster")).as("bootstrap.dcs seeded the config key: " + doc).isTrue();
        doc.remove("standby_cluster");
        dcs.put(standby.dcsKey("config"), JSON.writeValueAsString(doc));
      }
      await("the standby leader is promoted" + standby.diagnostics()).atMost(STEP)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> LocalCluster.get(newLeader, "/primary").status() == 200);
      assertThat(LocalCluster.get(newLeader, "/standby-leader").status()).isEqualTo(503);
      assertThat(LocalCluster.get(newLeader, "/patroni").json().get("role").asText()).isEqualTo("primary");
      assertThat(fingerprint(newLeader)).as("the promoted cluster holds the source's data up to the promotion")
          .isEqualTo(beforePromotion);
      insert(newLeader, 301, 310);
      assertThat(count(newLeader)).as("the promoted cluster is writable").isEqualTo(310);
      assertThat(count(primary)).as("the source is untouched by the promotion").isEqualTo(300);
      System.out.printf("StandbyClusterIT: standby leader %s, then %s after kill -9; promoted; data %s; %.1f s%n",
          leader.name, newLeader.name, beforePromotion, (System.nanoTime() - began) / 1e9);
    }
  }

  /** Waits until exactly one node of {@code standby} answers 200 on /standby-leader, and returns it. */
  private static NodeSpec awaitStandbyLeader(LocalCluster standby, Duration within) {
    AtomicReference<NodeSpec> found = new AtomicReference<>();
    await("one standby leader" + standby.diagnostics()).atMost(within).pollInterval(Duration.ofMillis(500))
        .until(() -> {
          List<NodeSpec> leaders = standby.nodes.stream()
              .filter(n -> LocalCluster.get(n, "/standby-leader").status() == 200).toList();
          if (leaders.size() == 1) {
            found.set(leaders.get(0));
          }
          return leaders.size() == 1;
        });
    return found.get();
  }

  /** Patroni's answers on a standby leader: /leader yes, /primary no, role standby_leader everywhere. */
  private static void assertStandbyLeaderRest(LocalCluster standby, NodeSpec leader) {
    assertThat(LocalCluster.get(leader, "/leader").status()).isEqualTo(200);
    assertThat(LocalCluster.get(leader, "/primary").status()).isEqualTo(503);
    assertThat(LocalCluster.get(leader, "/patroni").json().get("role").asText()).isEqualTo("standby_leader");
    await("/cluster shows the standby leader").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
        .until(() -> {
          JsonNode members = LocalCluster.get(leader, "/cluster").json().get("members");
          for (JsonNode m : members) {
            if (m.get("name").asText().equals(leader.name)) {
              return m.get("role").asText().equals("standby_leader");
            }
          }
          return false;
        });
    for (NodeSpec n : standby.nodes) {
      assertThat(LocalCluster.get(n, "/primary").status()).as(n.name + " /primary").isNotEqualTo(200);
    }
  }

  private static void awaitSameData(LocalCluster standby, List<NodeSpec> nodes, String expected) {
    for (NodeSpec n : nodes) {
      await(n.name + " has the source's rows" + standby.diagnostics()).atMost(STEP)
          .pollInterval(Duration.ofMillis(300)).ignoreExceptions()
          .until(() -> fingerprint(n).equals(expected));
    }
  }

  /** The port of the server a standby's WAL receiver streams from. */
  private static int upstreamPort(NodeSpec n) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT sender_port FROM pg_stat_wal_receiver WHERE status = 'streaming'")) {
      return r.next() ? r.getInt(1) : -1;
    }
  }

  private static void insert(NodeSpec n, int from, int to) throws SQLException {
    execute(n, "INSERT INTO dr SELECT g, md5(g::text) FROM generate_series(" + from + ", " + to + ") g");
  }

  private static void execute(NodeSpec n, String sql) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long count(NodeSpec n) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM dr")) {
      r.next();
      return r.getLong(1);
    }
  }

  /** Row count and a checksum of every row, in key order. */
  private static String fingerprint(NodeSpec n) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) || '/' || coalesce(md5(string_agg(id || ':' || v, ',' "
            + "ORDER BY id)), '') FROM dr")) {
      r.next();
      return r.getString(1);
    }
  }
}
