package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.CtlRun.pgctl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Synchronous replication as {@code pgctl} shows and drives it, against real daemons and PostgreSQL 15 (issue 14).
 * (1) Three nodes, {@code pgctl edit-config -s synchronous_mode=on}: {@code pgctl list} shows the standby the
 * {@code sync} key names as {@code Sync Standby} (table and json), the other as {@code Replica}; and
 * {@code pgctl switchover --candidate <the asynchronous replica> --force} is refused with Patroni's 412 text and
 * changes nothing.
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
}
