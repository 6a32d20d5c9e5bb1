package io.pgquorum.coordinator.it;

import static io.pgquorum.coordinator.it.LocalCluster.getHttps;
import static io.pgquorum.coordinator.it.LocalCluster.httpsStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.dcs.testing.TestPki;
import io.pgquorum.testkit.net.TlsClients;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 10 (hole 7), end to end: three daemons with the REST API on HTTPS ({@code verify_client: required}),
 * mutual TLS on Raft, and a ctl section, as an operator would configure them. The members publish https
 * api_urls; the leader race after a kill -9 asks the surviving peer over TLS with a client certificate (the only
 * way it can answer); health checks and tools need the CA and a certificate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsClusterIT {
  static final int TTL = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  LocalCluster cluster;
  TestPki pki;
  HttpClient https;

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-tls", 3, TTL, false);
    pki = TestPki.create(cluster.base.resolve("pki"), "cluster");
    for (NodeSpec n : cluster.nodes) {
      TestPki.Member m = pki.issue(n.name);
      TestPki.Member ctl = pki.issue(n.name + "-ctl");
      String yaml = Files.readString(n.config())
          // DEBUG shows every peer query that fails (PeerClient); the test looks for them.
          .replace("  level: INFO\n", "  level: DEBUG\n")
          .replace("restapi:\n", "restapi:\n"
              + "  certfile: " + m.certChain() + "\n"
              + "  keyfile: " + m.privateKey() + "\n"
              + "  cafile: " + pki.caCertFile() + "\n"
              + "  verify_client: required\n")
          .replace("raft:\n", "raft:\n"
              + "  tls: {certfile: " + m.certChain() + ", keyfile: " + m.privateKey() + ", cafile: "
              + pki.caCertFile() + "}\n")
          + "ctl:\n"
          + "  certfile: " + ctl.certChain() + "\n"
          + "  keyfile: " + ctl.privateKey() + "\n"
          + "  cacert: " + pki.caCertFile() + "\n";
      Files.writeString(n.config(), yaml);
    }
    https = client(pki.issue("operator"));
    cluster.startAll();
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** An HTTPS client trusting the test CA and presenting {@code cert}. */
  private HttpClient client(TestPki.Member cert) throws Exception {
    return TlsClients.mutual(pki.caCertFile(), cert.certChain(), cert.privateKey());
  }

  private int status(NodeSpec n, String path) {
    return httpsStatus(https, n, path);
  }

  private Optional<NodeSpec> primary() {
    List<NodeSpec> p = cluster.nodes.stream().filter(n -> n.daemon.alive() && status(n, "/primary") == 200)
        .toList();
    return p.size() == 1 ? Optional.of(p.get(0)) : Optional.empty();
  }

  private NodeSpec awaitPrimary(Duration within) {
    AtomicReference<NodeSpec> found = new AtomicReference<>();
    try {
      await("one primary over HTTPS").atMost(within).pollInterval(Duration.ofMillis(250))
          .until(() -> primary().map(p -> {
            found.set(p);
            return true;
          }).orElse(false));
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
    return found.get();
  }

  @Test
  @Order(1)
  void theClusterRunsOnHttpsAndPublishesHttpsApiUrls() throws Exception {
    NodeSpec primary = awaitPrimary(Duration.ofSeconds(120));
    await("two streaming replicas").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
        .until(() -> cluster.nodes.stream().filter(n -> status(n, "/replica?replication_state=streaming") == 200)
            .count() == 2);
    JsonNode members = JSON.readTree(getHttps(https, primary, "/cluster").body()).path("members");
    assertThat(members).hasSize(3);
    for (JsonNode m : members) {
      assertThat(m.path("api_url").asText()).startsWith("https://127.0.0.1:");
    }
    // Plain HTTP, and HTTPS without a client certificate, get nothing.
    assertThat(LocalCluster.get(primary, "/primary").status()).isZero();
    HttpClient noCertificate = TlsClients.trustOnly(pki.caCertFile());
    assertThatThrownBy(() -> getHttps(noCertificate, primary, "/primary")).isInstanceOf(IOException.class);
  }

  @Test
  @Order(2)
  void theLeaderRaceAsksThePeerOverTls() throws Exception {
    NodeSpec old = awaitPrimary(Duration.ofSeconds(30));
    List<NodeSpec> others = cluster.nodes.stream().filter(n -> n != old).toList();
    cluster.killDaemon(old);
    cluster.killPostmaster(old);
    AtomicReference<NodeSpec> winner = new AtomicReference<>();
    try {
      await("a new primary over HTTPS").atMost(Duration.ofSeconds(TTL + 20)).pollInterval(Duration.ofMillis(200))
          .until(() -> {
            for (NodeSpec n : others) {
              if (status(n, "/primary") == 200) {
                winner.set(n);
                return true;
              }
            }
            return false;
          });
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
    // The winner asked the other survivor before it took the lock, over TLS with its certificate (the only way
    // that peer answers), and never failed to.
    NodeSpec loser = others.stream().filter(n -> n != winner.get()).findFirst().orElseThrow();
    String peerUrl = "https://127.0.0.1:" + loser.restPort + "/patroni";
    String log = cluster.logs(winner.get());
    assertThat(log).as(winner.get().name + "'s log").contains("status from " + peerUrl + ": HTTP 200, role ")
        .doesNotContain("no status from " + peerUrl);
  }
}
