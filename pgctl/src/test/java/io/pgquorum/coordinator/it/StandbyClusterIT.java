package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.CtlRun.pgctl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.testkit.proc.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A standby cluster (Patroni's disaster-recovery setup, issue 17): two nodes (and a DCS witness that runs no
 * PostgreSQL, so the DCS keeps its majority when one node dies) whose dynamic configuration has
 * {@code standby_cluster} pointing at the primary of a three-node cluster. The first standby node bootstraps by
 * cloning the remote and becomes the standby leader (streaming from the remote, never promoted); the second clones
 * from it and cascades. Writes on the source reach both. When the standby leader dies (daemon and PostgreSQL
 * killed), the other node takes the lock and follows the remote itself. A change of the section
 * ({@code pgctl edit-config}) reaches both nodes' PostgreSQL by a reload. {@code pgctl promote-cluster} promotes
 * it: its leader becomes a writable primary holding exactly the source's data.
 *
 * <p>Here in pgctl's module, not the coordinator's, so that the promotion runs through the real pgctl command;
 * the cluster harness (LocalCluster) comes from the coordinator's test jar.
 *
 * <p>The second test is the archive-only standby cluster (no host: Patroni's DR cluster fed from a backup
 * repository). Both share one source cluster, which archives its WAL into a directory of the test.
 */
class StandbyClusterIT {
  static final int TTL = 8;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration STEP = Duration.ofSeconds(90);

  /** The three-node cluster both standby clusters follow; it archives every WAL segment into {@link #archive}. */
  private static LocalCluster source;
  private static Path archive;

  @BeforeAll
  static void startSource() throws Exception {
    source = new LocalCluster("it-source", 3, TTL, false);
    archive = Files.createDirectory(source.base.resolve("archive"));
    // Patroni users' archive_command shape: never overwrite a segment already archived.
    source.dcsParameters(Map.of("archive_mode", "on",
        "archive_command", "test ! -f " + archive + "/%f && cp %p " + archive + "/%f"));
    source.startAll();
    DaemonPauseFencingIT.awaitPrimary(source, START);
    DaemonPauseFencingIT.awaitReplicas(source, 2, START);
  }

  @AfterAll
  static void stopSource() throws Exception {
    if (source != null) {
      source.close();
    }
  }

  @Test
  void aStandbyClusterFollowsFailsOverAndIsPromoted() throws Exception {
    long began = System.nanoTime();
    try (LocalCluster standby = new LocalCluster("it-standby", 2, TTL, false)) {
      NodeSpec primary = DaemonPauseFencingIT.awaitPrimary(source, START);
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

      // A changed section (same host) reaches the running standby leader and its member by a reload: the
      // leader's archive_cleanup_command, and the member's too (members get the section's archive commands).
      CtlRun edit = pgctl(leader, "edit-config", "-s", "standby_cluster.archive_cleanup_command=echo %r", "--force");
      assertThat(edit.exit()).as(edit.toString()).isZero();
      for (NodeSpec n : List.of(leader, other)) {
        await(n.name + " runs with the new archive_cleanup_command" + standby.diagnostics()).atMost(STEP)
            .pollInterval(Duration.ofMillis(300)).ignoreExceptions()
            .until(() -> setting(n, "archive_cleanup_command").equals("echo %r"));
      }

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

      // Promote the standby cluster as an operator would: pgctl promote-cluster removes the section from the
      // config key and waits until the leader runs as primary.
      assertThat(configKey(standby).has("standby_cluster")).as("bootstrap.dcs seeded the config key").isTrue();
      promoteCluster(newLeader);
      assertThat(configKey(standby).has("standby_cluster")).as("promote-cluster removed the section").isFalse();
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

  /**
   * An archive-only standby cluster: standby_cluster has only restore_command (copying from the source's
   * archive) and a create_replica_methods entry that restores a base backup taken for the test (no host, so the
   * standby leader's first copy cannot come from a server, as in Patroni). The standby leader replays only what
   * it restores (no WAL receiver); the other node cascades from it and has the section's restore_command too.
   * Rows written on the source reach both once their segment is archived; pgctl promote-cluster promotes it.
   */
  @Test
  void anArchiveOnlyStandbyClusterFollowsByRestoreAndIsPromoted() throws Exception {
    long began = System.nanoTime();
    NodeSpec primary = DaemonPauseFencingIT.awaitPrimary(source, START);
    execute(primary, "CREATE TABLE ar (id int PRIMARY KEY, v text NOT NULL)");
    insert(primary, "ar", 1, 100);
    // The base backup an operator's backup tool would hold (WAL to its end included, the rest from the archive).
    Path backup = source.base.resolve("base-backup");
    Commands.runChecked(List.of("/usr/lib/postgresql/15/bin/pg_basebackup", "-D", backup.toString(), "-X",
        "stream", "-c", "fast", "-d", "postgresql://replicator:" + LocalCluster.REPLICATION_PASSWORD
            + "@127.0.0.1:" + primary.pgPort + "/postgres"), 120);
    // A custom replica method with Patroni's contract: it gets --datadir=<target> (and --scope, --role, ...).
    Path restore = source.base.resolve("restore-base-backup.sh");
    Files.writeString(restore, """
        #!/bin/sh
        set -e
        for a in "$@"; do case "$a" in --datadir=*) d="${a#--datadir=}";; esac; done
        mkdir -p "$d"
        cp -a %s/. "$d"/
        """.formatted(backup));
    Files.setPosixFilePermissions(restore, PosixFilePermissions.fromString("rwx------"));

    try (LocalCluster standby = new LocalCluster("it-archive", 2, TTL, false)) {
      String restoreCommand = "cp " + archive + "/%f %p";
      standby.standbyCluster("""
                restore_command: "%s"
                create_replica_methods:
                  - from_backup
          """.formatted(restoreCommand));
      standby.postgresqlYaml("  from_backup:\n    command: " + restore + "\n");
      standby.addWitness();
      standby.startWitness();
      standby.startAll();
      NodeSpec leader = awaitStandbyLeader(standby, START);
      NodeSpec other = standby.nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
      await("the other node cascades from the standby leader" + standby.diagnostics()).atMost(START)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> standby.streamingReplicas().equals(List.of(other)));
      assertStandbyLeaderRest(standby, leader);
      assertThat(upstreamPort(leader)).as("the archive-only standby leader streams from nobody").isEqualTo(-1);
      assertThat(upstreamPort(other)).as("the other node streams from the standby leader").isEqualTo(leader.pgPort);
      for (NodeSpec n : standby.nodes) {
        assertThat(setting(n, "restore_command")).as(n.name + " has standby_cluster's restore_command")
            .isEqualTo(restoreCommand);
      }

      insert(primary, "ar", 101, 200);
      execute(primary, "SELECT pg_switch_wal()"); // the rows' segment goes to the archive now, not when full
      String archived = fingerprint(primary, "ar");
      awaitSameData(standby, List.of(leader, other), "ar", archived);
      assertThat(upstreamPort(leader)).as("the standby leader still only restores").isEqualTo(-1);

      assertThat(configKey(standby).path("standby_cluster").has("host")).as("archive only").isFalse();
      promoteCluster(leader);
      await("the standby leader is promoted" + standby.diagnostics()).atMost(STEP)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> LocalCluster.get(leader, "/primary").status() == 200);
      assertThat(fingerprint(leader, "ar")).as("the promoted cluster holds what the archive had").isEqualTo(archived);
      insert(leader, "ar", 201, 250);
      assertThat(count(leader, "ar")).as("the promoted cluster is writable").isEqualTo(250);
      String promoted = fingerprint(leader, "ar");
      awaitSameData(standby, List.of(other), "ar", promoted);
      assertThat(count(primary, "ar")).as("the source is untouched by the promotion").isEqualTo(200);
      System.out.printf("StandbyClusterIT: archive-only standby leader %s, replica %s; promoted; data %s; %.1f s%n",
          leader.name, other.name, promoted, (System.nanoTime() - began) / 1e9);
    }
  }



  /**
   * {@code pgctl promote-cluster --force} (patronictl 4.1's), with {@code via}'s configuration file. It waits (as
   * Patroni's does, without a limit) until the leader runs as primary: bounded here, so a promotion that never
   * comes fails the test instead of hanging it.
   */
  private static void promoteCluster(NodeSpec via) {
    CtlRun run = assertTimeoutPreemptively(STEP, () -> pgctl(via, "promote-cluster", "--force"));
    assertThat(run.exit()).as(run.toString()).isZero();
    assertThat(run.out()).as(run.toString()).contains("cluster is successfully promoted");
  }

  /** The standby cluster's config key as the DCS holds it. */
  private static JsonNode configKey(LocalCluster standby) throws Exception {
    try (RatisDcsClient dcs = standby.dcsClient()) {
      KeyValue config = dcs.get(standby.dcsKey("config")).orElseThrow();
      return JSON.readTree(config.value());
    }
  }

  private static String setting(NodeSpec n, String name) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT setting FROM pg_settings WHERE name = '" + name + "'")) {
      r.next();
      return r.getString(1);
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
    awaitSameData(standby, nodes, "dr", expected);
  }

  private static void awaitSameData(LocalCluster standby, List<NodeSpec> nodes, String table, String expected) {
    for (NodeSpec n : nodes) {
      await(n.name + " has the source's rows of " + table + standby.diagnostics()).atMost(STEP)
          .pollInterval(Duration.ofMillis(300)).ignoreExceptions()
          .until(() -> fingerprint(n, table).equals(expected));
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
    insert(n, "dr", from, to);
  }

  private static void insert(NodeSpec n, String table, int from, int to) throws SQLException {
    execute(n, "INSERT INTO " + table + " SELECT g, md5(g::text) FROM generate_series(" + from + ", " + to + ") g");
  }

  private static void execute(NodeSpec n, String sql) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long count(NodeSpec n) throws SQLException {
    return count(n, "dr");
  }

  private static long count(NodeSpec n, String table) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** Row count and a checksum of every row, in key order. */
  private static String fingerprint(NodeSpec n) throws SQLException {
    return fingerprint(n, "dr");
  }

  private static String fingerprint(NodeSpec n, String table) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) || '/' || coalesce(md5(string_agg(id || ':' || v, ',' "
            + "ORDER BY id)), '') FROM " + table)) {
      r.next();
      return r.getString(1);
    }
  }
}
