package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
 * Node identity with real daemons (issue 10, hole 9): a second daemon started with an existing node's {@code name}
 * (its own ports and directories, as an operator's copied configuration would have) is refused and changes nothing;
 * one that cannot reach its twin's REST API waits, writes nothing, and stops once it sees the twin alive; and a
 * primary's daemon killed with -9 and restarted on its node re-adopts its lease with the same fencing token
 * instead of causing a failover. The steps share one cluster, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeIdentityIT {
  /** Long enough that a replica's daemon paused for a duplicate's start-up (~5 s) keeps its member key alive. */
  static final int TTL = 12;
  LocalCluster cluster;
  final List<NodeSpec> originals = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-identity", 3, TTL, false);
    originals.addAll(cluster.nodes);
    cluster.startAll();
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private NodeSpec awaitPrimary(Duration within) {
    AtomicReference<NodeSpec> p = new AtomicReference<>();
    await("one primary").atMost(within).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          Optional<NodeSpec> found = cluster.primary();
          found.ifPresent(p::set);
          return found.isPresent();
        });
    return p.get();
  }

  private static long fencingToken(NodeSpec n) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT current_setting('pgquorum.fencing_token')::bigint")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static boolean writableWithToken(NodeSpec n, long token) {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS it_identity (at timestamptz DEFAULT clock_timestamp())");
      s.execute("INSERT INTO it_identity DEFAULT VALUES");
      return fencingToken(n) == token;
    } catch (SQLException e) {
      return false;
    }
  }

  /** The cluster as the primary's REST API shows it: same primary and token, the three original members. */
  private void assertUnchanged(NodeSpec primary, long token, NodeSpec twin) throws Exception {
    assertThat(cluster.primary()).as("the primary").contains(primary);
    assertThat(fencingToken(primary)).as("the fencing token").isEqualTo(token);
    // A twin whose daemon was stopped for longer than the ttl (the duplicate's start on a busy machine) lost its
    // member key meanwhile; its daemon writes it again on its next cycle. What must not happen is another member,
    // or the twin's key in the duplicate's hands (its api_url, below).
    List<String> originalNames = originals.stream().map(n -> n.name).toList();
    java.util.concurrent.atomic.AtomicReference<JsonNode> seen = new java.util.concurrent.atomic.AtomicReference<>();
    await("the three original members").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
        .untilAsserted(() -> {
          JsonNode members = LocalCluster.get(primary, "/cluster").json().path("members");
          List<String> names = new ArrayList<>();
          members.forEach(m -> names.add(m.path("name").asText()));
          assertThat(names).containsExactlyInAnyOrderElementsOf(originalNames);
          seen.set(members);
        });
    JsonNode members = seen.get();
    members.forEach(m -> {
      if (m.path("name").asText().equals(twin.name)) {
        assertThat(m.path("api_url").asText()).as("%s's member key is still its own", twin.name)
            .contains(":" + twin.restPort + "/");
      }
    });
    await(twin.name + " streams").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
        .until(() -> LocalCluster.get(twin, "/replica?replication_state=streaming").status() == 200);
  }

  @Test
  @Order(1)
  void bootstrapsOnePrimaryAndTwoStreamingReplicas() {
    try {
      awaitPrimary(Duration.ofSeconds(90));
      await("two streaming replicas").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.streamingReplicas().size() == 2);
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
  }

  @Test
  @Order(2)
  void aSecondDaemonWithAnExistingNodesNameIsRefusedAndChangesNothing() throws Exception {
    NodeSpec primary = awaitPrimary(Duration.ofSeconds(30));
    long token = fencingToken(primary);
    NodeSpec twin = cluster.streamingReplicas().get(0);
    NodeSpec duplicate = cluster.addNode(twin.name, twin.name + "-duplicate");
    cluster.start(duplicate);

    assertThat(duplicate.daemon.process().waitFor(60, TimeUnit.SECONDS)).as("the duplicate daemon exits by itself"
        + cluster.diagnostics()).isTrue();
    String out = cluster.logs(duplicate);
    System.out.println("duplicate " + twin.name + " exited with " + duplicate.daemon.process().exitValue() + ": "
        + out.lines().filter(l -> l.startsWith("pgquorum:")).findFirst().orElse("(no message)"));
    assertThat(duplicate.daemon.process().exitValue()).as("exit code (2: a configuration problem)\n" + out)
        .isEqualTo(2);
    assertThat(out).contains("pgquorum: name: Can't start; there is already a node named '" + twin.name
        + "' running (its REST API http://127.0.0.1:" + twin.restPort + "/patroni answers and it owns "
        + "/service/it-identity/members/" + twin.name + "); give every node a unique name");
    assertThat(out).as("one readable line, no stack trace").doesNotContain("\tat ");
    assertThat(duplicate.dataDir()).as("the duplicate never touched PostgreSQL").doesNotExist();
    assertUnchanged(primary, token, twin);
  }

  @Test
  @Order(3)
  void aDuplicateThatCannotReachItsTwinIsStillRefusedBeforeItTouchesAnything() throws Exception {
    NodeSpec primary = awaitPrimary(Duration.ofSeconds(30));
    long token = fencingToken(primary);
    NodeSpec twin = cluster.streamingReplicas().get(0);
    NodeSpec duplicate = cluster.addNode(twin.name, twin.name + "-duplicate-2");
    // The twin's REST API does not answer while its daemon is stopped; its PostgreSQL keeps streaming. The name
    // check cannot confirm the twin, so it only warns; the duplicate's DCS member (a new raft.data_dir, not in the
    // group's configuration, no --join) is then refused by the DCS before it starts: nothing is written either way.
    cluster.pauseDaemon(twin, true);
    try {
      cluster.start(duplicate);
      assertThat(duplicate.daemon.process().waitFor(60, TimeUnit.SECONDS)).as("the duplicate daemon exits by itself"
          + cluster.diagnostics()).isTrue();
    } finally {
      cluster.pauseDaemon(twin, false);
    }
    String out = cluster.logs(duplicate);
    assertThat(out).contains("does not answer from here, so this node waits and watches the key");
    assertThat(duplicate.daemon.process().exitValue()).as("refused\n" + out).isNotZero();
    assertThat(out).contains("is not in the configuration of DCS group 'it-identity'");
    assertThat(out).as("one readable line, no stack trace").doesNotContain("\tat ");
    assertThat(duplicate.dataDir()).as("the duplicate never touched PostgreSQL").doesNotExist();
    assertUnchanged(primary, token, twin);
  }

  @Test
  @Order(4)
  void aKilledPrimaryDaemonRestartedOnItsNodeReadoptsTheLeaseWithTheSameFencingToken() throws Exception {
    NodeSpec primary = awaitPrimary(Duration.ofSeconds(30));
    long token = fencingToken(primary);
    List<NodeSpec> others = originals.stream().filter(n -> n != primary).toList();
    cluster.killDaemon(primary);
    assertThat(cluster.postmasterPid(primary).filter(pid -> ProcessHandle.of(pid).isPresent()))
        .as("PostgreSQL outlives its daemon").isPresent();
    long restartedAt = System.nanoTime();
    cluster.start(primary);
    // The restarted daemon takes the lease over at its first cycle and, once that lease is armed on its own
    // watchdog, stops its predecessor's orphaned watchdog (PreviousWatchdog), which would otherwise fence the
    // re-adopted primary at the old deadline. So: wait until that watchdog is gone and the new daemon says it holds
    // the lease with the same token, and never see another primary meanwhile.
    List<ProcessHandle> oldWatchdogs = primary.daemon.leftovers();
    try {
      await("the restarted daemon holds the lease with token " + token).atMost(Duration.ofSeconds(TTL + 30))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            for (NodeSpec o : others) {
              assertThat(LocalCluster.get(o, "/primary").status()).as(o.name + " was promoted").isNotEqualTo(200);
            }
            return oldWatchdogs.stream().noneMatch(ProcessHandle::isAlive)
                && LocalCluster.get(primary, "/primary").status() == 200
                && LocalCluster.get(primary, "/patroni").json().path("pgquorum").path("fencing_token").asLong()
                    == token
                && writableWithToken(primary, token);
          });
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
    System.out.printf("daemon of %s killed and restarted: writable again with token %d after %.2f s%n",
        primary.name, token, (System.nanoTime() - restartedAt) / 1e9);
    assertThat(cluster.logs(primary)).contains("took over the leader lease of this node's previous daemon ("
        + primary.name + "@").contains("fencing token " + token + " unchanged")
        .contains("stopping the watchdog process of this node's previous daemon");
    assertThat(LocalCluster.get(primary, "/patroni").json().path("fencing_token").asLong()).isEqualTo(token);
    await("both replicas stream from it").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
        .until(() -> cluster.streamingReplicas().size() == 2);
  }
}
