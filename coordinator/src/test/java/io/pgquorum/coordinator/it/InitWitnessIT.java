package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.LocalCluster.httpsStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.testkit.FreePorts;
import io.pgquorum.testkit.net.TlsClients;
import io.pgquorum.testkit.proc.Daemon;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code pgquorum init --witness}, end to end: init writes two loopback nodes and a witness (mutual TLS on Raft);
 * the daemons and {@code bin/pgquorum witness}, started from exactly those files, form a cluster with one primary
 * and one streaming replica; after kill -9 of the primary's daemon and postmaster the replica is promoted, which
 * needs the witness's vote over TLS. The witness's monitoring endpoint, as init configures it (HTTPS with client
 * certificates), reports it healthy in the running group and exports its Raft term.
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

  /** An HTTPS GET to the witness's endpoint (an IOException when refused: awaitCondition retries). */
  private static HttpResponse<String> witnessGet(HttpClient https, int port, String path)
      throws IOException, InterruptedException {
    return https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
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
    int witnessRest = FreePorts.next();
    args.addAll(List.of("--witness", "witness=127.0.0.1,raft=" + FreePorts.next() + ",rest=" + witnessRest, "--output",
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
    // The witness's endpoint, over the same mutual TLS as the nodes' (init gives it verify_client: required).
    cluster.awaitCondition(Duration.ofSeconds(30), "the witness's /health is 200",
        () -> witnessGet(https, witnessRest, "/health").statusCode() == 200);
    assertThat(witnessGet(https, witnessRest, "/liveness").statusCode()).isEqualTo(200);
    assertThat(witnessGet(https, witnessRest, "/no-such-check").statusCode()).as("unknown path, as a node")
        .isEqualTo(503);
    HttpResponse<String> metrics = witnessGet(https, witnessRest, "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    Matcher term = Pattern.compile("(?m)^pgquorum_raft_term\\{scope=\"" + Pattern.quote(cluster.scope)
        + "\",name=\"witness\"} (\\d+)$").matcher(metrics.body());
    assertThat(term.find()).as(metrics.body()).isTrue();
    assertThat(Long.parseLong(term.group(1))).as("the group elected a leader, so its term is past 0")
        .isPositive();
    assertThat(metrics.body()).contains("pgquorum_raft_leader_info{scope=\"" + cluster.scope
        + "\",name=\"witness\",leader=\"");

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
