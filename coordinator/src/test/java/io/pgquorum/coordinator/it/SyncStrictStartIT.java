package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A new cluster bootstrapped in {@code synchronous_mode_strict} starts its primary with synchronous_standby_names
 * {@code *} already in its configuration ({@code SyncRules.namesAtStart}), not empty until the first HA cycle after
 * the start writes it: in that window the primary acknowledged commits alone, which strict mode promises never
 * happens. One node, no standby: the first commit waits.
 */
class SyncStrictStartIT {
  @Test
  void aStrictPrimaryStartsWithASettingThatMakesCommitsWait() throws Exception {
    try (LocalCluster cluster = new LocalCluster("it-strict-start", 1, 8, false)) {
      cluster.dcsYaml("\n    synchronous_mode: on\n    synchronous_mode_strict: true");
      NodeSpec n = cluster.nodes.get(0);
      cluster.start(n);
      try {
        await("the primary's first cycle wrote the sync key").atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(300)).until(() -> cluster.logs(n).contains("updated /sync key"));
        // Why the key's write shows the first cycle is over: before this change, that cycle set '*' (reload) before
        // writing the key (SyncRules.strictNamesFirst), and PostgreSQL's postmaster logs a changed parameter while
        // it processes the reload, before any backend (the daemon's check of the new value) sees it. So a setting
        // that was empty at the start and set by the first cycle is in PostgreSQL's log by now.
        assertThat(cluster.pgLogs(n)).as("PostgreSQL's log: the setting was changed after the start")
            .doesNotContain("parameter \"synchronous_standby_names\" changed");
        assertThat(cluster.logs(n)).contains("PostgreSQL starts as primary with synchronous_standby_names '*'");
        assertThat(show(n)).isEqualTo("*");

        CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> {
          try (Connection c = LocalCluster.connectWaiting(n, Duration.ofSeconds(120));
              Statement s = c.createStatement()) {
            s.execute("CREATE TABLE strict_start (v int)");
          } catch (SQLException e) {
            // Ended by the terminate below: what the test expects.
          }
        });
        // PostgreSQL itself says the commit waits for a synchronous standby (no clock involved).
        await("the commit waits for a synchronous standby").atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200)).until(() -> LocalCluster.count(n,
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'").orElse(0L) == 1L);
        assertThat(commit).isNotDone();
        LocalCluster.execute(n, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'SyncRep'");
        await("the waiting session ended").atMost(Duration.ofSeconds(30)).until(commit::isDone);
      } catch (AssertionError | ConditionTimeoutException e) {
        throw new AssertionError(e.getMessage() + cluster.diagnostics() + "\n--- PostgreSQL ---\n"
            + cluster.pgLogs(n), e);
      }
    }
  }

  private static String show(NodeSpec n) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SHOW synchronous_standby_names")) {
      r.next();
      return r.getString(1);
    }
  }
}
