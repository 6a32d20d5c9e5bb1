package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code synchronous_mode_strict: true} (issue 14): with its only synchronous standby killed (kill -9 of daemon and
 * postmaster), the primary does not fall back to asynchronous replication: the key is emptied, the setting becomes
 * {@code *}, and a commit waits (PostgreSQL shows it waiting for synchronous replication) until a standby is back,
 * then completes. Two nodes and a DCS witness, so the primary keeps the DCS majority.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncStrictIT {
  LocalCluster cluster;

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-strict", 2, 8, false);
    cluster.addWitness();
    cluster.startWitness();
    cluster.startAll();
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String show(NodeSpec n) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        java.sql.ResultSet r = s.executeQuery("SHOW synchronous_standby_names")) {
      r.next();
      return r.getString(1);
    }
  }

  @Test
  void aCommitWaitsWithoutASyncStandbyAndCompletesWhenOneIsBack() throws Exception {
    try {
      await("one primary").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.primary().isPresent());
      NodeSpec primary = cluster.primary().orElseThrow();
      NodeSpec replica = cluster.nodes.stream().filter(n -> n != primary).findFirst().orElseThrow();
      await("a streaming replica").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.streamingReplicas().size() == 1);
      LocalCluster.HttpResult patched = LocalCluster.patch(primary, "/config",
          "{\"synchronous_mode\": true, \"synchronous_mode_strict\": true}");
      assertThat(patched.status()).as(patched.body()).isEqualTo(200);
      await("the sync key names the replica").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
          .until(() -> SyncReplicationIT.syncStandbys(primary).equals(List.of(replica.name)));
      LocalCluster.execute(primary, "CREATE TABLE strict_rows (v text PRIMARY KEY)");

      cluster.killDaemon(replica);
      cluster.killPostmaster(replica);
      await("the key emptied and the setting '*'").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
          .until(() -> SyncReplicationIT.syncStandbys(primary).isEmpty() && show(primary).equals("*"));
      CompletableFuture<Boolean> commit = CompletableFuture.supplyAsync(() -> {
        try (Connection c = LocalCluster.connectWaiting(primary, Duration.ofSeconds(180));
            Statement s = c.createStatement()) {
          s.execute("INSERT INTO strict_rows VALUES ('while-alone')");
          return true;
        } catch (SQLException e) {
          throw new IllegalStateException("the commit failed: " + e.getMessage(), e);
        }
      });
      // PostgreSQL itself says the commit waits for a synchronous standby (no clock involved).
      await("the commit waits for a synchronous standby").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200)).until(() -> LocalCluster.count(primary,
              "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'").orElse(0L) == 1L);
      assertThat(commit).isNotDone();

      cluster.start(replica);
      await("the commit completes once a standby is back").atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(300)).until(commit::isDone);
      assertThat(commit.get()).isTrue();
      await("the row is on " + replica.name).atMost(Duration.ofSeconds(30)).until(() -> LocalCluster.count(replica,
          "SELECT count(*) FROM strict_rows WHERE v = 'while-alone'").orElse(0L) == 1L);
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
  }
}
