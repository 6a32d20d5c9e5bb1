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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
 * {@code synchronous_mode: true} end to end, three real daemons and PostgreSQL 15 (issue 14): the primary names one
 * replica in the {@code sync} key only once PostgreSQL runs with it in synchronous_standby_names and reports it
 * {@code sync}; kill -9 of that standby (daemon and postmaster) in non-strict mode: commits, which wait for it
 * meanwhile, go on once the primary has moved the duty to the other replica (the key first, then the setting).
 * A switchover to the asynchronous replica is refused with Patroni's 412 before anything is written. POST /restart
 * of the synchronous standby, then a clean shutdown of its daemon, while a writer commits: it leaves the duty
 * before its PostgreSQL stops. The primary
 * and its synchronous standby killed together: {@link SyncDoubleFailureIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SyncReplicationIT {
  static final int TTL = 8;
  LocalCluster cluster;
  NodeSpec primary;
  NodeSpec syncStandby;

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-sync", 3, TTL, false);
    cluster.startAll();
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The members {@code GET /cluster} shows as {@code sync_standby} (the sync key, as the primary wrote it). */
  private List<String> syncStandbys() {
    return syncStandbys(primary);
  }

  /** As {@link #syncStandbys()}, asking {@code n}. */
  static List<String> syncStandbys(NodeSpec n) {
    JsonNode members = LocalCluster.get(n, "/cluster").json().path("members");
    List<String> out = new java.util.ArrayList<>();
    members.forEach(m -> {
      if (m.path("role").asText().equals("sync_standby")) {
        out.add(m.path("name").asText());
      }
    });
    return out;
  }

  private static String show(NodeSpec n, String sql) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      return r.next() ? r.getString(1) : "";
    }
  }

  static Optional<String> syncState(NodeSpec primary, String standby) {
    try {
      return Optional.of(show(primary, "SELECT sync_state FROM pg_stat_replication WHERE application_name = '"
          + standby + "'")).filter(v -> !v.isEmpty());
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  @Test
  @Order(1)
  void theSyncKeyNamesAReplicaThatPostgresTreatsAsSynchronous() throws Exception {
    try {
      await("one primary").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.primary().isPresent());
      primary = cluster.primary().orElseThrow();
      await("two streaming replicas").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.streamingReplicas().size() == 2);
      LocalCluster.HttpResult patched = LocalCluster.patch(primary, "/config", "{\"synchronous_mode\": true}");
      assertThat(patched.status()).as(patched.body()).isEqualTo(200);
      AtomicReference<String> named = new AtomicReference<>();
      await("the sync key names one replica").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
          .until(() -> {
            List<String> s = syncStandbys();
            if (s.size() == 1) {
              named.set(s.get(0));
              return true;
            }
            return false;
          });
      syncStandby = cluster.nodes.stream().filter(n -> n.name.equals(named.get())).findFirst().orElseThrow();
      assertThat(syncStandby).isNotEqualTo(primary);
      // The key names it only after PostgreSQL runs with it and reports it sync (the rules' confirmation).
      assertThat(show(primary, "SHOW synchronous_standby_names")).isEqualTo("FIRST 1 (" + syncStandby.name + ")");
      assertThat(syncState(primary, syncStandby.name)).contains("sync");
      NodeSpec other = otherReplica();
      assertThat(syncState(primary, other.name)).contains("async");
      LocalCluster.execute(primary, "CREATE TABLE sync_rows (v text PRIMARY KEY)",
          "INSERT INTO sync_rows VALUES ('a')");
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
  }

  private NodeSpec otherReplica() {
    return cluster.nodes.stream().filter(n -> n != primary && n != syncStandby).findFirst().orElseThrow();
  }

  @Test
  @Order(2)
  void aSwitchoverToTheAsynchronousReplicaIsRefusedUpFront() throws Exception {
    NodeSpec other = otherReplica();
    try {
      LocalCluster.HttpResult r = LocalCluster.post(primary, "/switchover", "{\"leader\":\"" + primary.name
          + "\",\"candidate\":\"" + other.name + "\"}");
      // Patroni's code and text, before anything is written: nothing scheduled, nobody demotes.
      assertThat(r).isEqualTo(new LocalCluster.HttpResult(412, "candidate name does not match with sync_standby"));
      assertThat(LocalCluster.get(primary, "/cluster").json().has("scheduled_switchover")).isFalse();
      assertThat(cluster.primary()).hasValue(primary);
      assertThat(syncStandbys()).containsExactly(syncStandby.name);
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
  }

  /**
   * POST /restart on the synchronous standby while a writer commits: the standby leaves its duty first (it says
   * nosync, the primary drops it from the key and moves synchronous_standby_names to the other replica) and only
   * then stops. Sampled throughout: the primary's synchronous_standby_names never names the standby while
   * PostgreSQL has no connection from it (without the departure it does, until the primary's next cycle, and every
   * commit waits meanwhile); the writer keeps committing, and the restart answers as usual.
   */
  @Test
  @Order(3)
  void restartingTheSyncStandbyLeavesTheDutyFirstAndCommitsGoOn() throws Exception {
    NodeSpec other = otherReplica();
    NodeSpec leaving = syncStandby;
    List<String> violations = new java.util.ArrayList<>();
    try (Writer writer = Writer.start(primary, "restart_rows")) {
      try {
        await("the writer commits").atMost(Duration.ofSeconds(30)).until(() -> writer.committed() > 10);
        assertThat(syncStandbys()).containsExactly(leaving.name);
        CompletableFuture<LocalCluster.HttpResult> restart = CompletableFuture.supplyAsync(() -> {
          try {
            return LocalCluster.post(leaving, "/restart", "{}");
          } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
        sampleUntilDone("the restart answers", leaving, restart, writer, violations);
        assertThat(restart.get()).isEqualTo(new LocalCluster.HttpResult(200, "restarted successfully"));
        assertThat(violations).as("commits waited for the restarting standby").isEmpty();
        // The duty stays with the other replica once the restarted standby is back: PostgreSQL already waits on
        // the other one, which keeps its place over an equal newcomer (no swing back before it is confirmed).
        awaitCommitsGoOnWith(other, writer);
        // The restarted standby is back as a streaming replica.
        await(leaving.name + " streams again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
            .until(() -> syncState(primary, leaving.name).isPresent());
        syncStandby = other;
      } catch (AssertionError | ConditionTimeoutException e) {
        throw new AssertionError(e.getMessage() + "\nviolations: " + violations + cluster.diagnostics(), e);
      }
    }
  }

  /**
   * A clean shutdown (SIGTERM) of the synchronous standby's daemon while a writer commits: as for a restart, the
   * standby leaves its duty before its PostgreSQL stops, sampled the same way; started again, it streams.
   */
  @Test
  @Order(4)
  void stoppingTheSyncStandbysDaemonLeavesTheDutyFirst() throws Exception {
    NodeSpec other = otherReplica();
    List<String> violations = new java.util.ArrayList<>();
    try (Writer writer = Writer.start(primary, "stop_rows")) {
      try {
        await("the writer commits").atMost(Duration.ofSeconds(30)).until(() -> writer.committed() > 10);
        await("the sync key names " + syncStandby.name).atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(300)).until(() -> syncStandbys().equals(List.of(syncStandby.name)));
        NodeSpec leaving = syncStandby;
        CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(
            () -> cluster.terminateDaemon(leaving, Duration.ofSeconds(90)));
        sampleUntilDone("the daemon exits", leaving, stopped, writer, violations);
        assertThat(stopped.get()).as("the daemon exited").isTrue();
        assertThat(violations).as("commits waited for the stopping standby").isEmpty();
        awaitCommitsGoOnWith(other, writer);
        cluster.start(leaving);
        await(leaving.name + " streams again").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
            .until(() -> syncState(primary, leaving.name).isPresent());
        syncStandby = other;
      } catch (AssertionError | ConditionTimeoutException e) {
        throw new AssertionError(e.getMessage() + "\nviolations: " + violations + cluster.diagnostics(), e);
      }
    }
  }

  /**
   * Samples, until {@code departure} is done, in one query on the primary (PostgreSQL's own view, fresh, unlike the
   * DCS snapshot a node caches between cycles), whether synchronous_standby_names names {@code leaving} while it has
   * no connection: the window in which every commit waits for a standby that cannot answer.
   */
  private void sampleUntilDone(String what, NodeSpec leaving, CompletableFuture<?> departure, Writer writer,
      List<String> violations) {
    String waitsForGone = "SELECT count(*) FROM (SELECT 1) x WHERE current_setting('synchronous_standby_names')"
        + " LIKE '%" + leaving.name + "%' AND NOT EXISTS (SELECT 1 FROM pg_stat_replication"
        + " WHERE application_name = '" + leaving.name + "')";
    await(what).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> {
      if (LocalCluster.count(primary, waitsForGone).orElse(0L) > 0) {
        violations.add("synchronous_standby_names names it while it is not connected, after " + writer.committed()
            + " commits");
      }
      return departure.isDone();
    });
  }

  /**
   * The writer goes on committing without an error, and {@code other} holds the synchronous duty (the key names it
   * alone; awaited: GET /cluster answers from the snapshot of the primary's last cycle, and the key names the new
   * standby only in the cycle after the one that moved synchronous_standby_names, once it is confirmed).
   */
  private void awaitCommitsGoOnWith(NodeSpec other, Writer writer) {
    long after = writer.committed();
    await("the writer goes on committing").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> writer.committed() > after + 10);
    assertThat(writer.error()).isNull();
    await("the other replica holds the duty").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
        .until(() -> syncStandbys().equals(List.of(other.name)));
  }

  /** One connection committing rows into a fresh table as fast as it can, until closed. */
  private static final class Writer implements AutoCloseable {
    private final AtomicLong committed = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<String> error = new AtomicReference<>();
    private final Thread thread;

    private Writer(NodeSpec primary, String table) {
      thread = new Thread(() -> {
        try (Connection c = LocalCluster.connectWaiting(primary, Duration.ofSeconds(120));
            Statement st = c.createStatement()) {
          while (!stop.get()) {
            st.execute("INSERT INTO " + table + " VALUES (" + (committed.get() + 1) + ")");
            committed.incrementAndGet();
          }
        } catch (SQLException e) {
          error.set(e.getMessage());
        }
      }, "sync-writer-" + table);
      thread.setDaemon(true);
    }

    static Writer start(NodeSpec primary, String table) throws Exception {
      LocalCluster.execute(primary, "CREATE TABLE " + table + " (i bigint PRIMARY KEY)");
      Writer w = new Writer(primary, table);
      w.thread.start();
      return w;
    }

    long committed() {
      return committed.get();
    }

    String error() {
      return error.get();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(30_000);
    }
  }

  @Test
  @Order(5)
  void killingTheSyncStandbyMovesTheDutyAndCommitsGoOnInNonStrictMode() throws Exception {
    NodeSpec other = otherReplica();
    try {
      cluster.killDaemon(syncStandby);
      cluster.killPostmaster(syncStandby);
      // A commit from now on waits until the primary has dropped the killed standby and named the other one.
      // Its own connection: LocalCluster's gives up reading after 5 s, and this commit is meant to wait.
      CompletableFuture<Boolean> commit = CompletableFuture.supplyAsync(() -> {
        try (Connection c = LocalCluster.connectWaiting(primary, Duration.ofSeconds(90));
            Statement s = c.createStatement()) {
          s.execute("INSERT INTO sync_rows VALUES ('after-kill')");
          return true;
        } catch (SQLException e) {
          throw new IllegalStateException("the commit failed: " + e.getMessage(), e);
        }
      });
      await("the commit returns").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(commit::isDone);
      assertThat(commit.get()).as("the commit succeeded").isTrue();
      await("the sync key names the other replica").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300)).until(() -> syncStandbys().equals(List.of(other.name)));
      assertThat(show(primary, "SHOW synchronous_standby_names")).isEqualTo("FIRST 1 (" + other.name + ")");
      assertThat(syncState(primary, other.name)).contains("sync");
      await("the row reached " + other.name).atMost(Duration.ofSeconds(30)).until(() -> LocalCluster.count(other,
          "SELECT count(*) FROM sync_rows WHERE v = 'after-kill'").orElse(0L) == 1L);
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
  }
}
