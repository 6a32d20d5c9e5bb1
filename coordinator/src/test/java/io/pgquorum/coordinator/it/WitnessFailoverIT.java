package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.testkit.proc.Daemon;
import io.pgquorum.testkit.proc.LogFile;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two database nodes and a witness started as users start one ({@code bin/pgquorum witness <file>}, its own JVM):
 * the witness is the third Raft voter, so when the primary's node dies (kill -9 of its daemon and postmaster) the
 * replica and the witness are a majority and the replica is promoted; with the witness down as well, the last
 * node is alone in a group of three and must not promote (the leader lock needs a majority), until the witness is
 * back. The steps share one cluster, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WitnessFailoverIT {
  static final int TTL = 8;
  LocalCluster cluster;
  Daemon witness;
  NodeSpec survivor;

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-witness", 2, TTL, false);
    cluster.addWitness();
    witness = cluster.startWitnessProcess();
    cluster.startAll();
  }

  @AfterAll
  void stop() throws Exception {
    if (witness != null) {
      witness.kill(Duration.ofSeconds(10));
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private String diagnostics() {
    return cluster.diagnostics() + "\n--- witness ---\n" + LogFile.read(witness.log());
  }

  private void eventually(String what, Duration within, java.util.concurrent.Callable<Boolean> condition) {
    try {
      await(what).atMost(within).pollInterval(Duration.ofMillis(200)).until(condition);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + diagnostics(), e);
    }
  }

  /** Whether {@code n}'s PostgreSQL answers and is not in recovery (a writable primary); empty when unreachable. */
  private static Optional<Boolean> isPrimary(NodeSpec n) {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
      rs.next();
      return Optional.of(!rs.getBoolean(1));
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  private NodeSpec other(NodeSpec n) {
    return cluster.nodes.stream().filter(o -> o != n).findFirst().orElseThrow();
  }

  @Test
  @Order(1)
  void twoNodesAndTheWitnessFormTheCluster() throws Exception {
    eventually("one primary", Duration.ofSeconds(90), () -> cluster.primary().isPresent());
    eventually("one streaming replica", Duration.ofSeconds(90), () -> cluster.streamingReplicas().size() == 1);
    NodeSpec primary = cluster.primary().orElseThrow();
    LocalCluster.execute(primary, "CREATE TABLE it_rows (v text PRIMARY KEY)", "INSERT INTO it_rows VALUES ('one')");
    NodeSpec replica = other(primary);
    eventually("the row reaches the replica", Duration.ofSeconds(30),
        () -> LocalCluster.count(replica, "SELECT count(*) FROM it_rows").orElse(0L) == 1);
    assertThat(witness.alive()).as("the witness runs").isTrue();
    assertThat(LogFile.read(witness.log())).as("the witness serves as a member of the group")
        .contains("witness witness serving: DCS member");
  }

  @Test
  @Order(2)
  void killingThePrimaryNodePromotesTheReplicaBecauseTheWitnessSuppliesTheMajority() throws Exception {
    NodeSpec old = cluster.primary().orElseThrow();
    NodeSpec replica = other(old);
    cluster.killDaemon(old);
    cluster.killPostmaster(old);
    // The lease expires about ttl after its last refresh; the deadline is generous on a loaded machine.
    eventually("the replica is promoted", Duration.ofSeconds(TTL + 50), () -> isPrimary(replica).orElse(false));
    LocalCluster.execute(replica, "INSERT INTO it_rows VALUES ('after-failover')");
    survivor = replica;
    // The old node comes back as a replica of the new primary, so that the last step has a replica to test.
    cluster.start(old);
    eventually("the old primary streams from the new one", Duration.ofSeconds(120),
        () -> cluster.streamingReplicas().equals(java.util.List.of(old)));
  }

  @Test
  @Order(3)
  void withoutTheWitnessTheLastNodeIsNotPromotedUntilTheWitnessReturns() throws Exception {
    NodeSpec primary = survivor;
    NodeSpec replica = other(primary);
    witness.terminate();
    assertThat(witness.awaitExit(Duration.ofSeconds(30))).as("the witness stops on SIGTERM").isTrue();
    assertThat(witness.process().exitValue()).as("the JVM's status after SIGTERM").isEqualTo(143);
    assertThat(LogFile.read(witness.log())).as("it closed its member").contains("witness witness stopped");
    cluster.killDaemon(primary);
    cluster.killPostmaster(primary);
    // An absence can only be watched for a while: three leases long, the replica (one voter of three) never
    // becomes a primary, since taking the leader lock needs a DCS majority.
    try {
      await("the replica stays a replica without a DCS majority").during(Duration.ofSeconds(3L * TTL))
          .atMost(Duration.ofSeconds(3L * TTL + 10)).pollInterval(Duration.ofMillis(200))
          .until(() -> !isPrimary(replica).orElse(false));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + diagnostics(), e);
    }
    // The control: the same node is promoted as soon as the witness restores the majority, so what held it back
    // was the majority and nothing else.
    witness = cluster.startWitnessProcess();
    eventually("the replica is promoted once the witness is back", Duration.ofSeconds(TTL + 60),
        () -> isPrimary(replica).orElse(false));
    assertThat(LocalCluster.count(replica, "SELECT count(*) FROM it_rows WHERE v = 'after-failover'"))
        .contains(1L);
  }
}
