package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code synchronous_mode: true}, the primary and its synchronous standby killed together (kill -9 of both daemons
 * and postmasters; issue 14): none of the asynchronous replicas left promotes, since any of them may lack commits
 * that were acknowledged; once the synchronous standby is back, it takes over with the last acknowledged row. Five
 * nodes, so that the three left keep a majority of the DCS (each daemon is a DCS member).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncDoubleFailureIT {
  LocalCluster cluster;

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-sync2", 5, 8, false);
    cluster.startAll();
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void noAsynchronousReplicaIsPromotedAndTheSyncStandbyTakesOverWhenBack() throws Exception {
    try {
      await("one primary").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.primary().isPresent());
      NodeSpec primary = cluster.primary().orElseThrow();
      await("four streaming replicas").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.streamingReplicas().size() == 4);
      LocalCluster.HttpResult patched = LocalCluster.patch(primary, "/config", "{\"synchronous_mode\": true}");
      assertThat(patched.status()).as(patched.body()).isEqualTo(200);
      AtomicReference<String> named = new AtomicReference<>();
      await("the sync key names one replica").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
          .until(() -> {
            List<String> s = SyncReplicationIT.syncStandbys(primary);
            named.set(s.size() == 1 ? s.get(0) : null);
            return named.get() != null;
          });
      NodeSpec sync = cluster.nodes.stream().filter(n -> n.name.equals(named.get())).findFirst().orElseThrow();
      assertThat(SyncReplicationIT.syncState(primary, sync.name)).contains("sync");
      LocalCluster.execute(primary, "CREATE TABLE sync_rows (v text PRIMARY KEY)",
          "INSERT INTO sync_rows VALUES ('before-double-kill')");
      cluster.killDaemon(primary);
      cluster.killDaemon(sync);
      cluster.killPostmaster(primary);
      cluster.killPostmaster(sync);
      List<NodeSpec> asyncs = cluster.nodes.stream().filter(n -> n != primary && n != sync).toList();
      // Once the lock has expired each asynchronous replica decides, and says why it does not race.
      for (NodeSpec a : asyncs) {
        await(a.name + " refuses to race").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
            .until(() -> cluster.logs(a).contains("synchronous_mode on: not a synchronous standby in the sync key"));
      }
      for (NodeSpec a : asyncs) {
        assertThat(LocalCluster.get(a, "/primary").status()).as("%s is not primary", a.name).isEqualTo(503);
        assertThat(LocalCluster.count(a, "SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END"))
            .as("%s still in recovery", a.name).contains(1L);
      }
      // The synchronous standby comes back: it may take over, and has the last acknowledged row.
      cluster.start(sync);
      await(sync.name + " is the new primary").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
          .until(() -> LocalCluster.get(sync, "/primary").status() == 200);
      assertThat(LocalCluster.count(sync, "SELECT count(*) FROM sync_rows WHERE v = 'before-double-kill'"))
          .contains(1L);
      for (NodeSpec a : asyncs) {
        assertThat(cluster.logs(a)).as(a.name).doesNotContain("promoted self to leader");
      }
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
  }
}
