package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.LocalCluster.httpsStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.net.TlsClients;
import io.pgquorum.testkit.proc.Daemon;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code pgquorum init --witness}, end to end: init writes two loopback nodes and a witness (mutual TLS on Raft);
 * the daemons and {@code bin/pgquorum witness}, started from exactly those files, form a cluster with one primary
 * and one streaming replica; after kill -9 of the primary's daemon and postmaster the replica is promoted, which
 * needs the witness's vote over TLS.
 */
class InitWitnessIT {
  private LocalCluster cluster;
  private Daemon witness;

  @AfterEach
  void stop() throws Exception {
    if (witness != null) {
      witness.kill(Duration.ofSeconds(10));
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String pgquorum(List<String> args) throws IOException, InterruptedException {
    InitClusterIT.Run run = InitClusterIT.pgquorum(args);
    assertThat(run.exit()).as("pgquorum %s:\n%s", args, run.output()).isZero();
    return run.output();
  }

  @Test
  void twoNodesAndAWitnessFromInitFailOverOnTls() throws Exception {
    cluster = new LocalCluster("it-init-witness", 2, 8, false);
    List<String> args = new ArrayList<>(List.of("init", "--scope", cluster.scope));
    for (NodeSpec n : cluster.nodes) {
      Files.delete(n.config()); // init writes base/<name>/pgquorum.yml and never overwrites a file
      args.addAll(List.of("--node", n.name + "=127.0.0.1,rest=" + n.restPort + ",raft=" + n.raftPort
          + ",pg=" + n.pgPort));
    }
    args.addAll(List.of("--witness", "witness=127.0.0.1,raft=" + FreePorts.next(), "--output",
        cluster.base.toString(), "--data-root", cluster.base.toString()));
    assertThat(pgquorum(args)).contains("pgquorum witness " + cluster.base + "/<name>/witness.yml");
    Path witnessFile = cluster.base.resolve("witness/witness.yml");
    assertThat(pgquorum(List.of("witness", "--validate-config", witnessFile.toString())))
        .isEqualTo("witness configuration " + witnessFile + " is valid\n");

    witness = cluster.startWitnessProcess(witnessFile);
    cluster.startAll();
    NodeSpec node1 = cluster.nodes.get(0);
    HttpClient https = TlsClients.mutual(node1.dir.resolve("ca.crt"), node1.dir.resolve("node.crt"),
        node1.dir.resolve("node.key"));
    cluster.awaitCondition(Duration.ofSeconds(120), "one primary and one streaming replica over HTTPS", () ->
        cluster.nodes.stream().filter(n -> httpsStatus(https, n, "/primary") == 200).count() == 1
            && cluster.nodes.stream().filter(n -> httpsStatus(https, n, "/replica?replication_state=streaming")
            == 200).count() == 1);
    NodeSpec primary = cluster.nodes.stream().filter(n -> httpsStatus(https, n, "/primary") == 200).findFirst()
        .orElseThrow();
    NodeSpec replica = cluster.nodes.stream().filter(n -> n != primary).findFirst().orElseThrow();

    cluster.killDaemon(primary);
    cluster.killPostmaster(primary);
    // The replica alone is one voter of three: only the witness's vote (over mutual TLS) lets it take the lock.
    cluster.awaitCondition(Duration.ofSeconds(60), "the replica is promoted",
        () -> httpsStatus(https, replica, "/primary") == 200);
    assertThat(witness.alive()).as("the witness still runs").isTrue();
  }
}
