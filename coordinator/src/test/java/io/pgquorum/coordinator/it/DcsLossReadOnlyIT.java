package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgquorum.coordinator.fence.PostgresFence;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import io.pgquorum.coordinator.it.PartitionIT.Writer;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17 item 4: a primary that loses the DCS demotes to a read-only standby without an upstream (Patroni's
 * "offline" demote) instead of staying stopped, so reads survive the outage. The primary's DCS member is cut off
 * from the other two (its Raft links only: clients and replication still reach it) while a client keeps writing
 * to it. It must stop accepting writes at its lease deadline (the lease guard fences it), then, with the DCS still
 * unreachable, answer reads as a server in recovery that refuses writes, without claiming to be primary; after
 * the heal it follows the new leader with the leader's data. Run with {@code watchdog.mode} automatic and
 * required: after its own fence the watchdog kills any PostgreSQL that appears until it is disarmed, so the
 * read-only start must disarm it first.
 */
@Tag("serial") // run alone after the parallel pass (coordinator/pom.xml): DCS loss timed against the lease
class DcsLossReadOnlyIT {
  static final int TTL = 8;

  @ParameterizedTest(name = "watchdog.mode {0}")
  @ValueSource(strings = {"automatic", "required"})
  void isolatedPrimaryComesBackReadOnlyAndRejoinsAfterTheHeal(String watchdogMode) throws Exception {
    try (LocalCluster cluster = new LocalCluster("it-dcsloss", 3, TTL, true)) {
      for (NodeSpec n : cluster.nodes) {
        Files.writeString(n.config(), "watchdog:\n  mode: " + watchdogMode + "\n", StandardOpenOption.APPEND);
      }
      cluster.startAll();
      NodeSpec old = awaitHealthy(cluster);
      try (Connection c = LocalCluster.connect(old); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE partition_rows (id bigserial PRIMARY KEY, node text, at timestamptz DEFAULT now())");
      }
      Writer writer = new Writer(old);
      writer.thread.start();
      try {
        await("the primary takes writes").atMost(Duration.ofSeconds(10)).until(() -> writer.count.get() > 5);

        long cutAt = System.nanoTime();
        cluster.proxies.isolate(old.index);
        long deadline = lastLeaseDeadline(cluster, old);
        System.out.printf("DCSLOSS %s isolated; its lease deadline %.3f s after the cut%n", old.name,
            (deadline - cutAt) / 1e9);

        // While the DCS stays unreachable: reads work, writes are refused, and nothing claims to be primary.
        try {
          await("the isolated node answers reads in recovery").atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(250)).until(() -> inRecovery(old).orElse(false));
        } catch (AssertionError | ConditionTimeoutException e) {
          throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
        }
        long writesAtReadOnly = writer.count.get();
        try (Connection c = LocalCluster.connect(old); Statement s = c.createStatement()) {
          try (ResultSet rs = s.executeQuery("SELECT count(*) FROM partition_rows")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).as("rows the old primary committed are readable").isPositive();
          }
          assertThatThrownBy(() -> s.execute("INSERT INTO partition_rows(node) VALUES ('after-demote')"))
              .isInstanceOf(SQLException.class)
              .satisfies(e -> assertThat(((SQLException) e).getSQLState())
                  .as("read_only_sql_transaction").isEqualTo("25006"));
        }
        assertThat(LocalCluster.get(old, "/primary").status()).as("GET /primary").isEqualTo(503);
        assertThat(LocalCluster.get(old, "/leader").status()).as("GET /leader").isEqualTo(503);
        // Patroni's rule: a running replica answers /replica with 200 (it serves reads), whatever the DCS says.
        // The REST API answers from the status the loop publishes at the end of a cycle, which comes a little
        // after the server itself is up (a cycle without the DCS waits out its reads and writes).
        await("GET /replica answers 200").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
            .until(() -> LocalCluster.get(old, "/replica").status() == 200);
        JsonNode patroni = LocalCluster.get(old, "/patroni").json();
        assertThat(patroni.path("role").asText()).as("/patroni role").isEqualTo("replica");
        assertThat(patroni.path("state").asText()).as("/patroni state").isEqualTo("running");
        assertThat(patroni.path("pgquorum").has("lease_remaining_ms")).as("/patroni lease").isFalse();
        for (NodeSpec other : cluster.nodes) {
          if (other != old) {
            assertThat(cluster.proxies.isCut(old.index, other.index)).as("still cut off from the DCS").isTrue();
          }
        }

        // Stop the writer only now: it kept trying throughout, so its last success is the last write accepted.
        writer.stop.set(true);
        writer.thread.join(10_000);
        long lastOk = writer.lastOk.get();
        System.out.printf("DCSLOSS last write on %s %.3f s after the cut (%d writes accepted in all)%n",
            old.name, (lastOk - cutAt) / 1e9, writer.count.get());
        assertThat(writer.count.get()).as("no write succeeded once the node was read-only")
            .isEqualTo(writesAtReadOnly);
        // The guard fences at the deadline and the fence finishes within the smallest lease margin (see
        // PostgresFence's budget), well before the majority can expire the lease (the margin is retry_timeout).
        assertThat(lastOk).as("the last accepted write precedes the lease deadline plus the fence budget")
            .isLessThan(deadline + PostgresFence.SMALLEST_MARGIN.toNanos());

        AtomicReference<NodeSpec> leader = new AtomicReference<>();
        await("another node leads").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
            .until(() -> {
              Optional<NodeSpec> p = cluster.primary();
              p.filter(n -> n != old).ifPresent(leader::set);
              return leader.get() != null;
            });

        cluster.proxies.healAll();
        try {
          await("the old primary follows the new leader").atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(500))
              .until(() -> LocalCluster.get(old, "/replica?replication_state=streaming").status() == 200);
        } catch (AssertionError | ConditionTimeoutException e) {
          throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
        }
        assertThat(LocalCluster.get(old, "/primary").status()).isEqualTo(503);
        assertSameData(leader.get(), old);
      } finally {
        writer.stop.set(true);
        writer.thread.join(10_000);
      }
    }
  }

  private static NodeSpec awaitHealthy(LocalCluster cluster) {
    AtomicReference<NodeSpec> primary = new AtomicReference<>();
    try {
      await("one primary").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> {
        Optional<NodeSpec> p = cluster.primary();
        p.ifPresent(primary::set);
        return p.isPresent();
      });
      await("two streaming replicas").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.streamingReplicas().size() == 2);
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
    return primary.get();
  }

  /**
   * The latest lease deadline the isolated node reports, on this JVM's clock (both read CLOCK_MONOTONIC): polled
   * until it reports no lease, so a refresh confirmed just after the cut is counted. {@code lease_remaining_ms}
   * is whole milliseconds at some instant between the request and the reply.
   */
  private static long lastLeaseDeadline(LocalCluster cluster, NodeSpec n) {
    AtomicLong latest = new AtomicLong(Long.MIN_VALUE);
    try {
      await("the isolated primary's lease runs out").atMost(Duration.ofSeconds(TTL + 10))
          .pollInterval(Duration.ofMillis(100)).until(() -> {
            LocalCluster.HttpResult r = LocalCluster.get(n, "/patroni");
            long after = System.nanoTime();
            if (r.status() == 0) {
              return false;
            }
            JsonNode remaining = r.json().path("pgquorum").path("lease_remaining_ms");
            if (remaining.isMissingNode()) {
              return latest.get() != Long.MIN_VALUE;
            }
            latest.accumulateAndGet(after + (remaining.asLong() + 1) * 1_000_000L, Math::max);
            return false;
          });
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
    return latest.get();
  }

  /** pg_is_in_recovery() of a node that answers a query, empty when it does not. */
  private static Optional<Boolean> inRecovery(NodeSpec n) {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
      return rs.next() ? Optional.of(rs.getBoolean(1)) : Optional.empty();
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  /** After a write on the leader has reached the follower, both hold exactly the same rows. */
  private static void assertSameData(NodeSpec leader, NodeSpec follower) throws SQLException {
    long marker;
    try (Connection c = LocalCluster.connect(leader); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("INSERT INTO partition_rows(node) VALUES ('after-heal') RETURNING id")) {
      assertThat(rs.next()).isTrue();
      marker = rs.getLong(1);
    }
    await("the leader's write reaches the old primary").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200)).until(() -> hasRow(follower, marker));
    assertThat(rowsOf(follower)).as("the old primary's rows equal the leader's").isEqualTo(rowsOf(leader));
  }

  private static boolean hasRow(NodeSpec n, long id) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM partition_rows WHERE id = " + id)) {
      return rs.next() && rs.getLong(1) == 1;
    }
  }

  private static String rowsOf(NodeSpec n) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(string_agg(id || ':' || node, ',' ORDER BY id), '') "
            + "FROM partition_rows")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }
}
