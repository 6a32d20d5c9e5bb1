package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.CtlRun.pgctl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Synchronous replication as {@code pgctl} shows and drives it, against real daemons and PostgreSQL 15 (issue 14).
 * (1) Three nodes, {@code pgctl edit-config -s synchronous_mode=on}: {@code pgctl list} shows the standby the
 * {@code sync} key names as {@code Sync Standby} (table and json), the other as {@code Replica}; and
 * {@code pgctl switchover --candidate <the asynchronous replica> --force} is refused with Patroni's 412 text and
 * changes nothing. (2) Two nodes and a DCS witness, {@code synchronous_mode_strict}: with the only synchronous
 * standby killed (daemon and postmaster), the primary's {@code /patroni} ({@code pgquorum.sync_commits_blocked}),
 * {@code /metrics} ({@code pgquorum_sync_commits_blocked}) and {@code pgctl list} (a line under the table) say its
 * commits are blocked, and a real commit indeed waits (PostgreSQL's SyncRep wait); once the standby is back, all
 * three clear and the commit completes.
 */
class SyncStandbyCtlIT {

  private static Path transcript(String name) throws Exception {
    Path t = Path.of("target", name);
    Files.createDirectories(t.getParent());
    Files.writeString(t, "");
    return t;
  }

  /** The table row of {@code member} in {@code pgctl list} output. */
  private static String row(CtlRun list, NodeSpec member) {
    return list.out().lines().filter(l -> l.startsWith("| " + member.name + " ")).findFirst().orElse("");
  }

  @Test
  void listShowsTheSyncStandbyAndASwitchoverToAnAsynchronousReplicaIsRefused() throws Exception {
    Path transcript = transcript("sync-standby-ctl-it-pgctl.txt");
    try (LocalCluster cluster = new LocalCluster("it-sync-ctl", 3, 8, false)) {
      cluster.startAll();
      try {
        NodeSpec primary = cluster.awaitHealthy(Duration.ofMinutes(3), "before synchronous mode", 2);
        CtlRun edit = pgctl(primary, transcript, "edit-config", "-s", "synchronous_mode=on", "--force");
        assertThat(edit.exit()).as(edit.err()).isZero();
        AtomicReference<List<String>> sync = new AtomicReference<>(List.of());
        await("the sync key names one replica").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
            .until(() -> {
              sync.set(SyncReplicationIT.syncStandbys(primary));
              return sync.get().size() == 1;
            });
        NodeSpec syncStandby = cluster.nodes.stream().filter(n -> n.name.equals(sync.get().get(0))).findFirst()
            .orElseThrow();
        NodeSpec async = cluster.nodes.stream().filter(n -> n != primary && n != syncStandby).findFirst()
            .orElseThrow();

        AtomicReference<CtlRun> list = new AtomicReference<>();
        await("pgctl list shows the Sync Standby").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
            .until(() -> {
              list.set(pgctl(primary, transcript, "list"));
              return row(list.get(), syncStandby).contains("| Sync Standby |");
            });
        assertThat(row(list.get(), primary)).contains("| Leader ");
        assertThat(row(list.get(), async)).contains("| Replica ");
        CtlRun json = pgctl(primary, transcript, "list", "--format", "json");
        assertThat(json.out()).contains("\"Member\": \"" + syncStandby.name + "\", \"Host\"")
            .contains("\"Role\": \"Sync Standby\"");
        assertThat(json.out().split("Sync Standby", -1)).as("one Sync Standby").hasSize(2);

        // A switchover to the asynchronous replica: refused up front by the leader's API, with Patroni's text.
        CtlRun refused = pgctl(primary, transcript, "switchover", "--candidate", async.name, "--force");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out())
            .contains("Switchover failed, details: 412, candidate name does not match with sync_standby");
        assertThat(cluster.primary()).hasValue(primary);
        assertThat(SyncReplicationIT.syncStandbys(primary)).containsExactly(syncStandby.name);
      } catch (AssertionError | ConditionTimeoutException e) {
        throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
      }
    }
  }

  private static String blockedMetric(NodeSpec n) {
    return LocalCluster.get(n, "/metrics").body().lines()
        .filter(l -> l.startsWith("pgquorum_sync_commits_blocked{")).map(l -> l.substring(l.lastIndexOf(' ') + 1))
        .findFirst().orElse("absent");
  }

  private static String blockedField(NodeSpec n) {
    return LocalCluster.get(n, "/patroni").json().path("pgquorum").path("sync_commits_blocked").asText("absent");
  }

  @Test
  void strictModeWithoutItsSyncStandbySaysCommitsAreBlockedUntilOneIsBack() throws Exception {
    Path transcript = transcript("sync-strict-ctl-it-pgctl.txt");
    try (LocalCluster cluster = new LocalCluster("it-strict-ctl", 2, 8, false)) {
      cluster.addWitness();
      cluster.startWitness();
      cluster.startAll();
      try {
        NodeSpec primary = cluster.awaitHealthy(Duration.ofMinutes(3), "before synchronous mode", 1);
        NodeSpec replica = cluster.nodes.stream().filter(n -> n != primary).findFirst().orElseThrow();
        CtlRun edit = pgctl(primary, transcript, "edit-config", "-s", "synchronous_mode=on", "-s",
            "synchronous_mode_strict=on", "--force");
        assertThat(edit.exit()).as(edit.err()).isZero();
        await("the sync key names the replica").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
            .until(() -> SyncReplicationIT.syncStandbys(primary).equals(List.of(replica.name)));
        await("the primary says its commits are not blocked").atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(300))
            .until(() -> blockedField(primary).equals("false") && blockedMetric(primary).equals("0"));
        assertThat(pgctl(primary, transcript, "list").out()).doesNotContain("Commits blocked");
        LocalCluster.execute(primary, "CREATE TABLE strict_rows (v text PRIMARY KEY)");

        cluster.killDaemon(replica);
        cluster.killPostmaster(replica);
        await("/patroni and /metrics say the commits are blocked").atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(300))
            .until(() -> blockedField(primary).equals("true") && blockedMetric(primary).equals("1"));
        AtomicReference<CtlRun> list = new AtomicReference<>();
        await("pgctl list says the commits are blocked").atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofSeconds(1)).until(() -> {
              list.set(pgctl(primary, transcript, "list"));
              return list.get().out().contains(" Commits blocked on: " + primary.name
                  + " (waiting for a synchronous standby)");
            });
        // What the three say is what PostgreSQL does: a commit now waits for a synchronous standby.
        CompletableFuture<Boolean> commit = CompletableFuture.supplyAsync(() -> insert(primary, "while-alone"));
        await("the commit waits for a synchronous standby").atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200)).until(() -> LocalCluster.count(primary,
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'").orElse(0L) == 1L);
        assertThat(commit).isNotDone();

        cluster.start(replica);
        await("the commit completes once the standby is back").atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(300)).until(commit::isDone);
        assertThat(commit.get()).isTrue();
        await("/patroni and /metrics clear").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
            .until(() -> blockedField(primary).equals("false") && blockedMetric(primary).equals("0"));
        await("pgctl list clears").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
          list.set(pgctl(primary, transcript, "list"));
          return list.get().exit() == 0 && !list.get().out().contains("Commits blocked")
              && row(list.get(), replica).contains("| Sync Standby |");
        });
      } catch (AssertionError | ConditionTimeoutException e) {
        throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
      }
    }
  }

  /** One INSERT on its own connection, allowed to wait (LocalCluster's connections give up reading after 5 s). */
  private static boolean insert(NodeSpec primary, String value) {
    try (Connection c = LocalCluster.connectWaiting(primary, Duration.ofSeconds(180));
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO strict_rows VALUES ('" + value + "')");
      return true;
    } catch (SQLException e) {
      throw new IllegalStateException("the commit failed: " + e.getMessage(), e);
    }
  }
}
