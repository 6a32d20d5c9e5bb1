package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hole 2 of issue 10, end to end with real daemons and PostgreSQL 15: a lock holder whose PostgreSQL cannot come
 * back does not keep the lock for ever. (1) The primary's postmaster dies and cannot be started again (its port is
 * taken): the holder gives the lock up after the failed start (Patroni's post_recover) and a replica takes over.
 * (2) The primary's postmaster is alive but does not answer (SIGSTOP: its pid file says "ready", connections hang):
 * after three unprobeable cycles the holder stops refreshing and fences, and a replica takes over. Before the fix
 * both holders refreshed the lock every cycle and no replica ever took over. Each old primary rejoins as a replica
 * once the fault is gone. The steps share one three-node cluster, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrimaryHealthIT {
  static final int TTL = 8;
  LocalCluster cluster;

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-primary-health", 3, TTL, false);
    // No slots: the holder's cycle then touches PostgreSQL once (the probe), so step 2 is the three-cycle rule
    // and nothing else. With slots, a SIGSTOP landing between a cycle's probe and its slot sync blocks that cycle
    // twice on the connect timeout (about 6 s); the holder's own lease guard then fences first (safe: the frozen
    // postmaster is killed and the holder restarts PostgreSQL under its lock), which is not what step 2 is about.
    cluster.useSlots(false);
    cluster.startAll();
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private NodeSpec awaitPrimary(Duration within, Optional<NodeSpec> not) {
    AtomicReference<NodeSpec> p = new AtomicReference<>();
    await("a primary other than " + not.map(n -> n.name).orElse("-")).atMost(within)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> {
          Optional<NodeSpec> found = cluster.primary().filter(n -> not.map(x -> x != n).orElse(true));
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

  private void awaitStreamingReplica(NodeSpec n, Duration within) {
    try {
      await(n.name + " streaming as a replica").atMost(within).pollInterval(Duration.ofMillis(500))
          .until(() -> cluster.streamingReplicas().contains(n));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(n.name + " did not stream as a replica within " + within + cluster.diagnostics(), e);
    }
  }

  private static void signal(String sig, long pid) throws IOException, InterruptedException {
    int code = new ProcessBuilder("kill", "-" + sig, String.valueOf(pid)).inheritIO().start().waitFor();
    assertThat(code).as("kill -%s %d", sig, pid).isZero();
  }

  /**
   * Kills the node's postmaster and takes its port before the daemon can start it again (retrying the kill if
   * the daemon was quicker), so that every start fails with "Address already in use".
   */
  private ServerSocket crashAndTakePort(NodeSpec n) throws Exception {
    for (int attempt = 0; attempt < 10; attempt++) {
      cluster.killPostmaster(n);
      long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < until) {
        ServerSocket s = new ServerSocket();
        try {
          s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), n.pgPort));
          return s;
        } catch (IOException busy) {
          s.close();
          Thread.onSpinWait();
        }
      }
    }
    throw new AssertionError("could not take " + n.name + "'s PostgreSQL port " + n.pgPort + cluster.diagnostics());
  }

  @Test
  @Order(1)
  void aPrimaryThatCannotStartAgainGivesTheLockToAReplica() throws Exception {
    NodeSpec old = awaitPrimary(Duration.ofMinutes(3), Optional.empty());
    for (NodeSpec n : cluster.nodes) {
      if (n != old) {
        awaitStreamingReplica(n, Duration.ofMinutes(3));
      }
    }
    // use_slots false took effect (the nodes' files were written before the test chose it): the primary keeps no
    // slot for its streaming replicas.
    assertThat(LocalCluster.count(old, "SELECT count(*) FROM pg_replication_slots")).as("slots on the primary")
        .contains(0L);
    long oldToken = fencingToken(old);
    try (ServerSocket blocker = crashAndTakePort(old)) {
      NodeSpec next = awaitPrimary(Duration.ofSeconds(90), Optional.of(old));
      assertThat(fencingToken(next)).isGreaterThan(oldToken);
      assertThat(cluster.logs(old)).as(cluster.diagnostics())
          .contains("removed leader key after trying and failing to start postgres");
      assertThat(LocalCluster.get(old, "/primary").status()).isNotEqualTo(200);
    }
    // The port is free again: the old primary comes back as a replica of the new one.
    awaitStreamingReplica(old, Duration.ofMinutes(3));
  }

  @Test
  @Order(2)
  void aPrimaryThatRunsButCannotBeProbedIsFailedOver() throws Exception {
    NodeSpec old = awaitPrimary(Duration.ofMinutes(1), Optional.empty());
    long oldToken = fencingToken(old);
    long postmaster = cluster.postmasterPid(old).orElseThrow();
    signal("STOP", postmaster);
    try {
      NodeSpec next = awaitPrimary(Duration.ofSeconds(120), Optional.of(old));
      assertThat(fencingToken(next)).isGreaterThan(oldToken);
      assertThat(cluster.logs(old)).as(cluster.diagnostics()).contains("PostgreSQL could not be probed")
          .contains("demoting self because PostgreSQL could not be probed for 3 cycles");
    } finally {
      // The holder's fence either already SIGKILLed the frozen postmaster (the fencing procedure does not wait for
      // a stopped process) or its immediate stop is pending; SIGCONT lets a still-frozen one act on it.
      if (ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false)) {
        new ProcessBuilder("kill", "-CONT", String.valueOf(postmaster)).inheritIO().start().waitFor();
      }
    }
    await("the frozen postmaster is gone").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .until(() -> ProcessHandle.of(postmaster).map(h -> !h.isAlive()).orElse(true));
    awaitStreamingReplica(old, Duration.ofMinutes(3));
  }
}
