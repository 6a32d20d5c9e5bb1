package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Member;
import io.pgquorum.coordinator.ha.NodeStatus;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code /patroni}, {@code /cluster}, {@code /history}, {@code /config} and {@code /metrics} on a real server. */
class DocumentEndpointsTest {
  private static final AtomicReference<NodeStatus> STATUS = new AtomicReference<>();
  private static RestServer server;
  private static TestHttp http;

  @BeforeAll
  static void start() {
    server = RestServer.start(TestHttp.config(Optional.empty(), List.of()), STATUS::get,
        AdminActions.unsupported());
    http = new TestHttp(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private JsonNode getJson(String path, int expectedStatus) throws Exception {
    HttpResponse<String> r = http.send("GET", path);
    assertThat(r.statusCode()).as("GET %s", path).isEqualTo(expectedStatus);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    return Json.MAPPER.readTree(r.body());
  }

  @Test
  void primaryStatusDocument() throws Exception {
    STATUS.set(Fixtures.primary());
    JsonNode s = getJson("/patroni", 200);
    assertThat(s.path("state").asText()).isEqualTo("running");
    assertThat(s.path("role").asText()).isEqualTo("primary");
    assertThat(s.path("postmaster_start_time").asText()).isEqualTo("2024-05-06 07:08:09.123456+00:00");
    assertThat(s.path("server_version").asInt()).isEqualTo(150010);
    assertThat(s.path("xlog").path("location").asLong()).isEqualTo(Fixtures.OPTIME);
    assertThat(s.path("xlog").has("received_location")).isFalse();
    assertThat(s.path("timeline").asInt()).isEqualTo(3);
    assertThat(s.path("replication").get(0).path("application_name").asText()).isEqualTo("n2");
    assertThat(s.path("replication").get(0).path("client_addr").asText()).isEqualTo("10.0.0.2");
    assertThat(s.path("replication").get(0).path("state").asText()).isEqualTo("streaming");
    assertThat(s.path("replication").get(0).path("sync_state").asText()).isEqualTo("async");
    assertThat(s.path("cluster_unlocked").isBoolean()).isTrue();
    assertThat(s.path("cluster_unlocked").asBoolean()).isFalse();
    assertThat(s.path("dcs_last_seen").asLong()).isEqualTo(STATUS.get().dcsLastSeen().get().getEpochSecond());
    assertThat(s.path("tags").path("failover_priority").asInt()).isEqualTo(3);
    assertThat(s.path("database_system_identifier").asText()).isEqualTo("7350000000000000001");
    assertThat(s.has("pending_restart")).isFalse();
    assertThat(s.path("patroni").path("version").asText()).isEqualTo("0.1.0");
    assertThat(s.path("patroni").path("scope").asText()).isEqualTo("demo");
    assertThat(s.path("patroni").path("name").asText()).isEqualTo("n1");
    assertThat(s.path("fencing_token").asLong()).isEqualTo(Fixtures.FENCING_TOKEN);
  }

  @Test
  void pendingRestartReasonInTheStatusDocument() throws Exception {
    NodeStatus p = Fixtures.primary();
    STATUS.set(Fixtures.status("n1", Fixtures.primaryPg().withPendingRestartReason(Map.of("shared_buffers",
        new io.pgquorum.coordinator.postgres.PendingRestartReason.Change("128MB", "256MB"))), "running", "primary",
        true, p.cluster(), p.dcsLastSeen(), p.tags(), System.nanoTime()));
    JsonNode s = getJson("/patroni", 200);
    assertThat(s.path("pending_restart").asBoolean()).isTrue();
    assertThat(s.path("pending_restart_reason").toString())
        .isEqualTo("{\"shared_buffers\":{\"old_value\":\"128MB\",\"new_value\":\"256MB\"}}");
  }

  @Test
  void replicaStatusDocument() throws Exception {
    STATUS.set(Fixtures.laggingReplica());
    JsonNode s = getJson("/patroni", 200);
    assertThat(s.path("role").asText()).isEqualTo("replica");
    assertThat(s.path("replication_state").asText()).isEqualTo("streaming");
    JsonNode xlog = s.path("xlog");
    assertThat(xlog.has("location")).isFalse();
    assertThat(xlog.path("received_location").asLong()).isEqualTo(Fixtures.OPTIME);
    assertThat(xlog.path("replayed_location").asLong()).isEqualTo(Fixtures.OPTIME - 100L * 1024 * 1024);
    assertThat(xlog.path("replayed_timestamp").asText()).isEqualTo("2024-05-06 08:00:00.000000+00:00");
    assertThat(xlog.path("paused").isBoolean()).isTrue();
    assertThat(xlog.path("paused").asBoolean()).isFalse();
    assertThat(s.has("fencing_token")).isFalse();
    assertThat(s.has("sync_standby")).isFalse();

    STATUS.set(Fixtures.syncReplica());
    assertThat(getJson("/patroni", 200).path("sync_standby").asBoolean()).isTrue();
  }

  /**
   * A member of the sync key is a quorum standby in quorum mode (Patroni 4's {@code quorum_standby} field and
   * metric), a synchronous standby otherwise; the standby leader of a standby cluster has its own metric. The
   * metrics were constants (0) from before quorum commit and standby clusters existed.
   */
  @Test
  void syncQuorumAndStandbyLeaderRolesInStatusAndMetrics() throws Exception {
    STATUS.set(Fixtures.quorumReplica());
    JsonNode s = getJson("/patroni", 200);
    assertThat(s.path("quorum_standby").asBoolean()).isTrue();
    assertThat(s.has("sync_standby")).isFalse();
    String labels3 = "{scope=\"demo\",name=\"n3\"} ";
    assertThat(http.send("GET", "/metrics").body().lines()).contains(
        "patroni_quorum_standby" + labels3 + "1", "patroni_sync_standby" + labels3 + "0");

    STATUS.set(Fixtures.syncReplica());
    assertThat(getJson("/patroni", 200).has("quorum_standby")).isFalse();
    assertThat(http.send("GET", "/metrics").body().lines()).contains(
        "patroni_quorum_standby" + labels3 + "0", "patroni_sync_standby" + labels3 + "1",
        "patroni_standby_leader" + labels3 + "0");

    STATUS.set(Fixtures.standbyLeader());
    assertThat(http.send("GET", "/metrics").body().lines()).contains(
        "patroni_standby_leader{scope=\"demo\",name=\"n1\"} 1", "patroni_primary{scope=\"demo\",name=\"n1\"} 0");
  }

  /**
   * Issue 17 item 11: xlog.paused was always false, even while PostgreSQL's replay was paused (at a recovery
   * target, or by pg_wal_replay_pause()). It is PostgreSQL's pause state now, a requested pause included, as
   * Patroni reports pg_is_wal_replay_paused().
   */
  @ParameterizedTest
  @CsvSource({"paused, true, 1", "pause requested, true, 1", "not paused, false, 0"})
  void xlogPausedIsPostgresReplayPauseState(String state, boolean paused, String metric) throws Exception {
    STATUS.set(Fixtures.replicaWithPauseState(state));
    assertThat(getJson("/patroni", 200).path("xlog").path("paused").asBoolean()).isEqualTo(paused);
    assertThat(http.send("GET", "/metrics").body().lines()).anyMatch(l -> l.startsWith("patroni_xlog_paused")
        && l.endsWith(" " + metric));
  }

  @Test
  void stoppedStatusDocumentOmitsWhatPostgresCannotSay() throws Exception {
    STATUS.set(Fixtures.stopped());
    JsonNode s = getJson("/patroni", 200);
    assertThat(s.path("state").asText()).isEqualTo("stopped");
    assertThat(s.has("xlog")).isFalse();
    assertThat(s.has("postmaster_start_time")).isFalse();
    assertThat(s.has("server_version")).isFalse();
    assertThat(s.path("patroni").path("name").asText()).isEqualTo("n2");

    STATUS.set(null);
    JsonNode none = getJson("/patroni", 503);
    assertThat(none.path("state").asText()).isEqualTo("starting");
  }

  @Test
  void clusterDocument() throws Exception {
    STATUS.set(Fixtures.replica());
    JsonNode c = getJson("/cluster", 200);
    assertThat(c.path("scope").asText()).isEqualTo("demo");
    JsonNode members = c.path("members");
    assertThat(members).hasSize(3);
    JsonNode n1 = members.get(0);
    assertThat(n1.path("name").asText()).isEqualTo("n1");
    assertThat(n1.path("role").asText()).isEqualTo("leader");
    assertThat(n1.path("state").asText()).isEqualTo("running");
    assertThat(n1.path("api_url").asText()).isEqualTo("http://10.0.0.1:8008/patroni");
    assertThat(n1.path("host").asText()).isEqualTo("10.0.0.1");
    assertThat(n1.path("port").asInt()).isEqualTo(5432);
    assertThat(n1.path("timeline").asInt()).isEqualTo(3);
    assertThat(n1.has("lag")).isFalse();
    JsonNode n2 = members.get(1);
    assertThat(n2.path("role").asText()).isEqualTo("replica");
    assertThat(n2.path("state").asText()).isEqualTo("streaming");
    assertThat(n2.path("lag").asLong()).isEqualTo(1000);
    assertThat(n2.path("tags").path("zone").asText()).isEqualTo("a");
    JsonNode n3 = members.get(2);
    assertThat(n3.path("role").asText()).isEqualTo("sync_standby");
    assertThat(n3.path("lag").asLong()).isZero();
    JsonNode sw = c.path("scheduled_switchover");
    assertThat(sw.path("at").asText()).isEqualTo("2030-01-02T03:04:05+00:00");
    assertThat(sw.path("from").asText()).isEqualTo("n1");
    assertThat(sw.path("to").asText()).isEqualTo("n2");
    assertThat(c.has("pause")).isFalse();
  }

  /** Issue 17, item 12: the body of a failed /replica says why, and /cluster shows no lag for such a member. */
  @Test
  void aReplicaOffTheLeadersTimelineSaysWhyAndHasNoLag() throws Exception {
    STATUS.set(Fixtures.pastHistoryReplica());
    JsonNode s = getJson("/replica?lag=1MB", 503);
    assertThat(s.path("pgquorum").path("diverged").asText()).isEqualTo("it replayed timeline 2 to " + Fixtures.OPTIME
        + ", past where the cluster's history ends that timeline (50331800)");
    STATUS.set(Fixtures.laterTimelineReplica(false));
    assertThat(getJson("/replica", 503).path("pgquorum").path("diverged").asText()).isEqualTo("it replays timeline 4 "
        + "and does not stream, and the leader (n1) runs on the earlier timeline 3");
    STATUS.set(Fixtures.otherForkReplica());
    assertThat(getJson("/patroni", 200).path("pgquorum").path("diverged").asText())
        .contains("descends from timeline 2 ending at 50000000", "another fork");
    STATUS.set(Fixtures.sameLineReplica());
    assertThat(getJson("/patroni", 200).path("pgquorum").has("diverged")).isFalse();

    ClusterSnapshot full = Fixtures.snapshot(false);
    Map<String, Member> members = new java.util.TreeMap<>(full.members());
    Member n2 = members.get("n2");
    // n2 publishes timeline 2 at the leader's position; n3 published its own verdict (a fork only it can see).
    members.put("n2", new Member("n2", 10, n2.connUrl(), n2.apiUrl(), "running", "replica", "0.1.0",
        OptionalLong.of(Fixtures.OPTIME), 2, Optional.of("in archive recovery"), Map.of(), false, Map.of()));
    Member n3 = members.get("n3");
    members.put("n3", new Member("n3", 10, n3.connUrl(), n3.apiUrl(), "running", "replica", "0.1.0",
        n3.xlogLocation(), 3, n3.replicationState(), Map.of(), false, Map.of("diverged", "another fork")));
    ClusterSnapshot diverged = new ClusterSnapshot(full.revision(), full.initialize(), full.config(), full.leader(),
        members, Optional.empty(), full.sync(), full.history(), full.status());
    NodeStatus r = Fixtures.replica();
    STATUS.set(new NodeStatus(r.scope(), r.name(), r.pg(), r.state(), r.role(), r.holdsLock(),
        Optional.of(diverged), r.dcsLastSeen(), r.message(), r.tags(), r.cycleAt(), r.cycleNanos(), r.cycles()));
    JsonNode c = getJson("/cluster", 200);
    assertThat(c.path("members").get(1).path("lag").asText()).isEqualTo("unknown");
    assertThat(c.path("members").get(1).path("diverged").asText()).contains("past where the cluster's history");
    assertThat(c.path("members").get(2).path("lag").asText()).isEqualTo("unknown");
    assertThat(c.path("members").get(2).path("diverged").asText()).isEqualTo("another fork");
    assertThat(c.path("members").get(0).has("diverged")).isFalse();
  }

  /**
   * Issue 17, item 12: a replica stopped because its rejoin found a divergence it may not repair says why in
   * /patroni (pgquorum.diverged, where a running replica's off-line reason goes), and /cluster shows the reason its
   * member key publishes next to "stopped" (before, only its log said why).
   */
  @Test
  void aReplicaStoppedForADivergenceSaysWhyInPatroniAndCluster() throws Exception {
    String why = "this node's timeline diverged from leader n1 and use_pg_rewind is off; set "
        + "postgresql.remove_data_directory_on_diverged_timelines to re-clone automatically, or reinitialize the node";
    NodeStatus r = Fixtures.replica();
    ClusterSnapshot full = Fixtures.snapshot(false);
    Map<String, Member> members = new java.util.TreeMap<>(full.members());
    Member n3 = members.get("n3");
    members.put("n3", new Member("n3", 10, n3.connUrl(), n3.apiUrl(), "stopped", "replica", "0.1.0",
        n3.xlogLocation(), 1, Optional.empty(), Map.of(), false, Map.of("diverged", why)));
    ClusterSnapshot snapshot = new ClusterSnapshot(full.revision(), full.initialize(), full.config(), full.leader(),
        members, Optional.empty(), full.sync(), full.history(), full.status());
    STATUS.set(new NodeStatus(r.scope(), r.name(), io.pgquorum.coordinator.postgres.PgState.stopped(
        io.pgquorum.coordinator.postgres.PgState.DataDirState.INITIALIZED), "stopped", "replica", false,
        Optional.of(snapshot), r.dcsLastSeen(), r.message(), r.tags(), r.cycleAt(), r.cycleNanos(), r.cycles())
        .withStoppedDiverged(Optional.of(why)));
    JsonNode p = getJson("/patroni", 200);
    assertThat(p.path("state").asText()).isEqualTo("stopped");
    assertThat(p.path("pgquorum").path("diverged").asText()).isEqualTo(why);
    JsonNode c = getJson("/cluster", 200);
    assertThat(c.path("members").get(2).path("state").asText()).isEqualTo("stopped");
    assertThat(c.path("members").get(2).path("diverged").asText()).isEqualTo(why);
    assertThat(c.path("members").get(2).path("lag").asText()).isEqualTo("unknown");
  }

  @Test
  void clusterLagIsUnknownWithoutALeaderPosition() throws Exception {
    ClusterSnapshot full = Fixtures.snapshot(false);
    ClusterSnapshot noPosition = new ClusterSnapshot(full.revision(), full.initialize(), full.config(),
        Optional.empty(), full.members(), Optional.empty(), full.sync(), full.history(), Optional.empty());
    NodeStatus r = Fixtures.replica();
    STATUS.set(new NodeStatus(r.scope(), r.name(), r.pg(), r.state(), r.role(), r.holdsLock(),
        Optional.of(noPosition), r.dcsLastSeen(), r.message(), r.tags(), r.cycleAt(), r.cycleNanos(), r.cycles()));
    JsonNode c = getJson("/cluster", 200);
    assertThat(c.path("members").get(1).path("lag").asText()).isEqualTo("unknown");
    assertThat(c.has("scheduled_switchover")).isFalse();
  }

  @Test
  void historyDocument() throws Exception {
    STATUS.set(Fixtures.replica());
    JsonNode h = getJson("/history", 200);
    assertThat(h.toString()).isEqualTo("[[1,25165984,\"no recovery target specified\"],"
        + "[2,50331800,\"no recovery target specified\",\"2024-05-06T07:00:00+00:00\",\"n1\"]]");
  }

  @Test
  void configDocumentHidesPasswords() throws Exception {
    STATUS.set(Fixtures.primary());
    HttpResponse<String> r = http.send("GET", "/config");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode c = Json.MAPPER.readTree(r.body());
    assertThat(c.path("ttl").asInt()).isEqualTo(8);
    assertThat(c.path("postgresql").path("parameters").path("max_connections").asInt()).isEqualTo(100);
    assertThat(c.path("postgresql").path("authentication").path("replication").path("username").asText())
        .isEqualTo("repl");
    assertThat(r.body()).doesNotContain(Fixtures.SECRET);

    STATUS.set(Fixtures.noSnapshot());
    HttpResponse<String> missing = http.send("GET", "/config");
    assertThat(missing.statusCode()).isEqualTo(502);
    assertThat(missing.body()).contains("dynamic configuration");
  }

  @Test
  void metricsOfAPrimary() throws Exception {
    STATUS.set(Fixtures.primary());
    HttpResponse<String> r = http.send("GET", "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
    String labels = "{scope=\"demo\",name=\"n1\"} ";
    assertThat(r.body().lines()).contains(
        "patroni_version" + labels + "000100",
        "patroni_postgres_running" + labels + "1",
        "patroni_postmaster_start_time" + labels + "1714979289.123456",
        "patroni_primary" + labels + "1",
        "patroni_replica" + labels + "0",
        "patroni_xlog_location" + labels + Fixtures.OPTIME,
        "patroni_xlog_received_location" + labels + "0",
        "patroni_xlog_replayed_location" + labels + "0",
        "patroni_postgres_streaming" + labels + "0",
        "patroni_postgres_in_archive_recovery" + labels + "0",
        "patroni_postgres_server_version" + labels + "150010",
        "patroni_cluster_unlocked" + labels + "0",
        "patroni_postgres_timeline" + labels + "3",
        "patroni_dcs_last_seen" + labels + STATUS.get().dcsLastSeen().get().getEpochSecond(),
        "patroni_pending_restart" + labels + "0",
        "patroni_is_paused" + labels + "0",
        "pgquorum_fencing_token" + labels + Fixtures.FENCING_TOKEN,
        "# TYPE patroni_primary gauge");
    assertEveryMetricHasHelpAndType(r.body());
  }

  @Test
  void metricsOfAReplica() throws Exception {
    STATUS.set(Fixtures.laggingReplica());
    String body = http.send("GET", "/metrics").body();
    String labels = "{scope=\"demo\",name=\"n2\"} ";
    assertThat(body.lines()).contains(
        "patroni_primary" + labels + "0",
        "patroni_replica" + labels + "1",
        "patroni_xlog_location" + labels + "0",
        "patroni_xlog_received_location" + labels + Fixtures.OPTIME,
        "patroni_xlog_replayed_location" + labels + (Fixtures.OPTIME - 100L * 1024 * 1024),
        "patroni_xlog_replayed_timestamp" + labels + "1714982400.000000",
        "patroni_postgres_streaming" + labels + "1",
        "pgquorum_fencing_token" + labels + "0");
    assertEveryMetricHasHelpAndType(body);

    STATUS.set(Fixtures.staleReplica(true));
    assertThat(http.send("GET", "/metrics").body().lines()).contains("patroni_is_paused" + labels + "1");
  }

  @Test
  void metricsLabelValuesAreEscaped() {
    assertThat(MetricsText.escape("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
  }

  /** Each sample line is preceded by its HELP and TYPE lines, as Prometheus' parser expects. */
  private static void assertEveryMetricHasHelpAndType(String body) {
    List<String> lines = new ArrayList<>(body.lines().toList());
    assertThat(lines).isNotEmpty();
    for (int i = 0; i < lines.size(); i += 3) {
      String help = lines.get(i);
      String type = lines.get(i + 1);
      String sample = lines.get(i + 2);
      String name = sample.substring(0, sample.indexOf('{'));
      assertThat(help).startsWith("# HELP " + name + " ");
      assertThat(type).isEqualTo("# TYPE " + name + " gauge");
      assertThat(sample).matches(name + "\\{scope=\"[^\"]*\",name=\"[^\"]*\"} -?[0-9.]+");
    }
  }
}
