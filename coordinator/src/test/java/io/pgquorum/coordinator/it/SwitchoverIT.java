package io.pgquorum.coordinator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.it.LocalCluster.HttpResult;
import io.pgquorum.coordinator.it.LocalCluster.NodeSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
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
 * Switchover and failover through the REST API, end to end with real daemons and PostgreSQL 15, on one shared
 * three-node cluster, in order: to a named candidate, to any member, scheduled, refused (the candidate is
 * unhealthy: 412 and nothing changes), and a failover to a named candidate. After each handover the new primary
 * takes writes under a larger fencing token, the old primary streams from it and has its rows, and the old one
 * never took a write after the new one's first (one writable primary at a time); the old primary's PostgreSQL starts
 * once after its handover, directly as a replica of the new one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SwitchoverIT {
  static final int TTL = 8;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  LocalCluster cluster;
  long lastToken;

  @BeforeAll
  void start() throws Exception {
    cluster = new LocalCluster("it-switchover", 3, TTL, false);
    cluster.startAll();
    try {
      awaitPrimary(Duration.ofSeconds(90));
      await("two streaming replicas").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
          .until(() -> cluster.streamingReplicas().size() == 2);
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
    NodeSpec p = awaitPrimary(Duration.ofSeconds(5));
    LocalCluster.execute(p, "CREATE TABLE it_rows (v text PRIMARY KEY, token bigint)");
    lastToken = fencingToken(p);
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private NodeSpec awaitPrimary(Duration within) {
    AtomicReference<NodeSpec> p = new AtomicReference<>();
    await("one primary").atMost(within).pollInterval(Duration.ofMillis(200)).until(() -> {
      Optional<NodeSpec> found = cluster.primary();
      found.ifPresent(p::set);
      return found.isPresent();
    });
    return p.get();
  }

  private static HttpResult post(NodeSpec n, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.restPort + path))
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new HttpResult(r.statusCode(), r.body());
  }

  private static long fencingToken(NodeSpec n) throws SQLException {
    try (Connection c = LocalCluster.connect(n); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT current_setting('pgquorum.fencing_token')::bigint")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static boolean canWrite(NodeSpec n, String value) {
    return LocalCluster.tryExecute(n, "INSERT INTO it_rows VALUES ('" + value
        + "', current_setting('pgquorum.fencing_token')::bigint) ON CONFLICT DO NOTHING");
  }

  private static boolean hasRow(NodeSpec n, String value) {
    return LocalCluster.count(n, "SELECT count(*) FROM it_rows WHERE v = '" + value + "'").orElse(0L) == 1;
  }

  private List<NodeSpec> replicasOf(NodeSpec primary) {
    return cluster.nodes.stream().filter(n -> n != primary).toList();
  }

  /**
   * What must hold after {@code from} handed over to {@code to}: {@code to} is the one primary and takes writes
   * with a larger fencing token; {@code from} refuses writes, streams from {@code to} and has its rows; every row
   * in the table was written under the token of the primary of its time (the old token's rows all precede);
   * {@code from}'s PostgreSQL started once since {@code startsBefore} ({@link #pgStarts}): directly as a replica of
   * {@code to}, not first without an upstream and then again to follow it.
   */
  private void handedOver(NodeSpec from, NodeSpec to, String row, int startsBefore) throws Exception {
    try {
      await(to.name + " writable").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
          .until(() -> canWrite(to, row));
      // /primary answers from the status the loop publishes after its next cycle.
      await("the one primary is " + to.name).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> cluster.primary().equals(Optional.of(to)));
      long token = fencingToken(to);
      assertThat(token).as("a new lock, a new fencing token").isGreaterThan(lastToken);
      lastToken = token;
      assertThat(canWrite(from, row + "-on-old")).as("the old primary refuses writes").isFalse();
      await(from.name + " streams from " + to.name).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
          .until(() -> LocalCluster.get(from, "/replica?replication_state=streaming").status() == 200
              && hasRow(from, row));
      for (NodeSpec r : replicasOf(to)) {
        await(r.name + " has the row").atMost(Duration.ofSeconds(60)).until(() -> hasRow(r, row));
      }
      // One writable primary per fencing epoch: rows are stamped with the writer's token, and no row stamped with
      // an older token was written after a newer one (the table is append-only; ctid order is insertion order on
      // a table that never had a delete or update).
      assertThat(LocalCluster.count(to, "SELECT count(*) FROM (SELECT token, lag(token) OVER (ORDER BY ctid) AS "
          + "before FROM it_rows) t WHERE before > token")).as("a row of an older epoch after a newer one")
          .hasValue(0L);
      assertThat(pgStarts(from)).as(from.name + "'s PostgreSQL started once after the handover (its log:\n"
          + startLines(from) + ")").isEqualTo(startsBefore + 1);
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + cluster.diagnostics(), e);
    }
    // The timeline of the handover as the two daemons logged it (for the report; asserts nothing).
    for (NodeSpec n : List.of(from, to)) {
      System.out.println("SWITCHOVER-IT log " + n.name + ":\n" + String.join("\n", cluster.logs(n).lines()
          .filter(l -> l.contains("demoting myself") || l.contains("stopped PostgreSQL (FAST)")
              || l.contains("released the leader lock") || l.contains("acquired the leader lock")
              || l.contains("PostgreSQL is primary") || l.contains("requested through the REST API")
              || l.contains("promoted self")).toList()));
    }
  }

  /**
   * How many times {@code n}'s PostgreSQL came up: the lines "database system is ready to accept (read-only)
   * connections" in its log, which pg_ctl -l appends to, one per postmaster start that got that far.
   */
  private int pgStarts(NodeSpec n) {
    return (int) cluster.pgLogs(n).lines().filter(l -> l.contains("database system is ready to accept")).count();
  }

  private String startLines(NodeSpec n) {
    return String.join("\n", cluster.pgLogs(n).lines().filter(l -> l.contains("database system is ready to accept")
        || l.contains("received fast shutdown request") || l.contains("database system is shut down")
        || l.contains("started streaming WAL")).toList());
  }

  private static void report(String what, long startNanos, HttpResult r) {
    System.out.printf("SWITCHOVER-IT %s: %d %s, answered after %.2f s%n", what, r.status(), r.body(),
        (System.nanoTime() - startNanos) / 1e9);
  }

  @Test
  @Order(1)
  void switchoverToANamedCandidate() throws Exception {
    NodeSpec old = awaitPrimary(Duration.ofSeconds(10));
    assertThat(canWrite(old, "before-1")).isTrue();
    NodeSpec to = replicasOf(old).get(0);
    int starts = pgStarts(old);
    long start = System.nanoTime();
    HttpResult r = post(old, "/switchover", "{\"leader\":\"" + old.name + "\",\"candidate\":\"" + to.name + "\"}");
    report("named", start, r);
    assertThat(r).isEqualTo(new HttpResult(200, "Successfully switched over to \"" + to.name + "\""));
    handedOver(old, to, "after-1", starts);
    assertThat(hasRow(to, "before-1")).as("nothing written before the switchover is lost").isTrue();
  }

  @Test
  @Order(2)
  void switchoverToAnyMember() throws Exception {
    NodeSpec old = awaitPrimary(Duration.ofSeconds(10));
    int starts = pgStarts(old);
    long start = System.nanoTime();
    // Asked on a replica's API: any node writes the key; the leader acts on it.
    HttpResult r = post(replicasOf(old).get(1), "/switchover", "{\"leader\":\"" + old.name + "\"}");
    report("any", start, r);
    assertThat(r.status()).isEqualTo(200);
    NodeSpec to = replicasOf(old).stream().filter(n -> r.body().equals("Successfully switched over to \"" + n.name
        + "\"")).findFirst().orElseThrow(() -> new AssertionError("unexpected answer " + r));
    handedOver(old, to, "after-2", starts);
  }

  @Test
  @Order(3)
  void aScheduledSwitchoverFiresAtItsTime() throws Exception {
    NodeSpec old = awaitPrimary(Duration.ofSeconds(10));
    NodeSpec to = replicasOf(old).get(0);
    int starts = pgStarts(old);
    OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(6).truncatedTo(ChronoUnit.SECONDS);
    HttpResult r = post(old, "/switchover", "{\"leader\":\"" + old.name + "\",\"member\":\"" + to.name
        + "\",\"scheduled_at\":\"" + at + "\"}");
    assertThat(r).isEqualTo(new HttpResult(202, "Switchover scheduled"));
    // GET /cluster shows the loop's last snapshot: within a cycle.
    await("GET /cluster shows it").atMost(Duration.ofSeconds(3)).until(() -> !LocalCluster.get(old, "/cluster")
        .json().path("scheduled_switchover").path("at").asText().isEmpty());
    // Not before its time: still the primary a second before.
    await("waits").atMost(Duration.ofSeconds(10)).until(() -> OffsetDateTime.now().isAfter(at.minusSeconds(1)));
    assertThat(cluster.primary()).hasValue(old);
    await("fired").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.primary().equals(Optional.of(to)));
    System.out.printf("SWITCHOVER-IT scheduled at %s: %s primary at %s%n", at, to.name, OffsetDateTime.now());
    handedOver(old, to, "after-3", starts);
    await("the key is cleared").atMost(Duration.ofSeconds(3))
        .until(() -> !LocalCluster.get(to, "/cluster").json().has("scheduled_switchover"));
  }

  @Test
  @Order(4)
  void refusedWhenTheCandidateIsUnhealthy() throws Exception {
    NodeSpec leader = awaitPrimary(Duration.ofSeconds(10));
    NodeSpec sick = replicasOf(leader).get(0);
    // The candidate's daemon frozen (its API does not answer) and its PostgreSQL stopped.
    cluster.pauseDaemon(sick, true);
    try {
      LocalCluster.pgCtl(sick, "stop", "-m", "fast", "-w");
      HttpResult r = post(leader, "/switchover", "{\"leader\":\"" + leader.name + "\",\"candidate\":\""
          + sick.name + "\"}");
      assertThat(r).isEqualTo(new HttpResult(412, "switchover is not possible: no good candidates have been found"));
      HttpResult f = post(leader, "/failover", "{\"candidate\":\"" + sick.name + "\"}");
      assertThat(f).isEqualTo(new HttpResult(412, "switchover is not possible: no good candidates have been found"));
      assertThat(canWrite(leader, "after-refusal")).as("nothing changed").isTrue();
      assertThat(cluster.primary()).hasValue(leader);
    } finally {
      cluster.pauseDaemon(sick, false);
    }
    await(sick.name + " back").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
        .until(() -> LocalCluster.get(sick, "/replica?replication_state=streaming").status() == 200
            && hasRow(sick, "after-refusal"));
  }

  @Test
  @Order(5)
  void failoverToANamedCandidate() throws Exception {
    NodeSpec old = awaitPrimary(Duration.ofSeconds(10));
    NodeSpec to = replicasOf(old).get(1);
    int starts = pgStarts(old);
    long start = System.nanoTime();
    HttpResult r = post(to, "/failover", "{\"candidate\":\"" + to.name + "\"}");
    report("failover", start, r);
    assertThat(r).isEqualTo(new HttpResult(200, "Successfully failed over to \"" + to.name + "\""));
    handedOver(old, to, "after-5", starts);
    assertThat(cluster.logs(old)).contains("failover: demoting myself, handing over to " + to.name);
  }
}
