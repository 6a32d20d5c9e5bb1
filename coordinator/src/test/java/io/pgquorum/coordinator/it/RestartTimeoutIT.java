package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.it.LocalCluster.HttpResult;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@code POST /restart} with {@code timeout} on a real PostgreSQL 15 whose start is slow (Patroni 4.1: the timeout
 * bounds the wait for the start). The slow start: a replica whose {@code restore_command} takes 3 s per call and
 * finds nothing ({@code sleep 3; false}, as in SlowCloneStartIT), so its startup process spends several seconds
 * asking the archive before it reaches a consistent state. Restarted with {@code timeout: 1}, the request answers
 * 503 {@code restart failed} without waiting for the start; the postmaster it started is left starting (Patroni's
 * replica: "Still starting up as a standby"), not stopped or started again, and streams once up.
 */
@EnabledOnOs(OS.LINUX)
class RestartTimeoutIT {
  private LocalCluster cluster;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private int pgStarts(NodeSpec n) {
    return (int) cluster.pgLogs(n).lines().filter(l -> l.contains("database system is ready to accept")).count();
  }

  @Test
  void aReplicaRestartWhoseStartOutlastsTheTimeoutAnswersRestartFailedAndTheServerComesUpByItself()
      throws Exception {
    // Three members: the embedded DCS needs a majority of them up (node1 and node2 first).
    cluster = new LocalCluster("it-restart-timeout", 3, 8, false);
    NodeSpec leader = cluster.nodes.get(0);
    NodeSpec other = cluster.nodes.get(1);
    NodeSpec slow = cluster.nodes.get(2);
    cluster.appendYaml(other, "tags:\n  nofailover: true\n");
    cluster.appendYaml(slow, "tags:\n  nofailover: true\n");
    cluster.appendPostgresqlYaml(slow, "  recovery_conf:\n    restore_command: sleep 3; false\n");
    cluster.start(leader);
    cluster.start(other);
    cluster.eventually("node1 primary", Duration.ofSeconds(120), () ->
        assertThat(cluster.primary()).contains(leader));
    cluster.start(slow);
    cluster.eventually("node3 streams", Duration.ofSeconds(180), () ->
        assertThat(LocalCluster.get(slow, "/replica?replication_state=streaming").status()).isEqualTo(200));
    long before = cluster.postmasterPid(slow).orElseThrow();
    int startsBefore = pgStarts(slow);

    long t0 = System.nanoTime();
    HttpResult r = LocalCluster.post(slow, "/restart", "{\"timeout\": 1}");
    double answeredAfter = (System.nanoTime() - t0) / 1e9;
    System.out.printf("RESTART-TIMEOUT-IT POST /restart {\"timeout\": 1}: %d %s, answered after %.2f s%n",
        r.status(), r.body(), answeredAfter);
    assertThat(r).as("the answer" + cluster.diagnostics()).isEqualTo(new HttpResult(503, "restart failed"));
    long started = cluster.postmasterPid(slow).orElseThrow(() -> new AssertionError(
        "the restart's postmaster was stopped after the timeout" + cluster.diagnostics()));
    assertThat(started).as("a new postmaster (the restart stopped the old one)").isNotEqualTo(before);

    cluster.eventually("node3 streams again", Duration.ofSeconds(120), () ->
        assertThat(LocalCluster.get(slow, "/replica?replication_state=streaming").status()).isEqualTo(200));
    assertThat(cluster.postmasterPid(slow)).as("the postmaster left starting is the one that came up (not stopped "
        + "and started again)" + cluster.diagnostics()).contains(started);
    assertThat(pgStarts(slow)).as("one start since the restart").isEqualTo(startsBefore + 1);
    assertThat(cluster.primary()).as("the primary is untouched").contains(leader);
    String log = cluster.logs(slow);
    System.out.println("RESTART-TIMEOUT-IT node3's log:\n" + String.join("\n", log.lines().filter(l ->
        l.contains("restart") || l.contains("still starting")).limit(20).toList()));
  }
}
