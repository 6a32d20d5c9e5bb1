package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgquorum.coordinator.ha.HeldLease;
import io.pgquorum.coordinator.ha.NodeStatus;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Patroni's health-check rules, end to end: one real server, the published status swapped per row, every row
 * asked with GET, HEAD and OPTIONS.
 */
class HealthEndpointsTest {
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

  /** {@link Fixtures#primaryWithExpiredLease} (token 7) read through a lease with {@code token} held for 60 s more. */
  private static NodeStatus refreshedSince(long token) {
    HeldLease lease = new HeldLease();
    lease.extend(token, System.nanoTime(), 60_000_000_000L);
    return lease.current(Fixtures.primaryWithExpiredLease());
  }

  private static Arguments row(String fixture, Supplier<NodeStatus> status, String path, int expected) {
    return Arguments.of(fixture, status, path, expected);
  }

  static Stream<Arguments> table() {
    return Stream.of(
        // A stale primary status: its lease ran out, so it is not the primary any more (see HealthCheck).
        row("expired lease", Fixtures::primaryWithExpiredLease, "/primary", 503),
        row("expired lease", Fixtures::primaryWithExpiredLease, "/read-write", 503),
        row("expired lease", Fixtures::primaryWithExpiredLease, "/leader", 503),
        row("expired lease", Fixtures::primaryWithExpiredLease, "/read-only", 503),
        // The same stale status, read through the node's lease as the daemon serves it (HeldLease.current): the
        // keeper confirmed a refresh of this lease since the status was published, so it is still the primary.
        row("expired lease, refreshed since", () -> refreshedSince(7), "/primary", 200),
        row("expired lease, refreshed since", () -> refreshedSince(7), "/leader", 200),
        row("expired lease, another lease held", () -> refreshedSince(8), "/primary", 503),
        row("valid lease", Fixtures::primaryWithValidLease, "/primary", 200),
        row("valid lease", Fixtures::primaryWithValidLease, "/leader", 200),
        // The primary with the lock.
        row("primary", Fixtures::primary, "/", 200),
        row("primary", Fixtures::primary, "/primary", 200),
        row("primary", Fixtures::primary, "/read-write", 200),
        row("primary", Fixtures::primary, "/master", 200),
        row("primary", Fixtures::primary, "/leader", 200),
        row("primary", Fixtures::primary, "/standby-leader", 503),
        row("primary", Fixtures::primary, "/replica", 503),
        row("primary", Fixtures::primary, "/read-only", 200),
        row("primary", Fixtures::primary, "/health", 200),
        row("primary", Fixtures::primary, "/liveness", 200),
        row("primary", Fixtures::primary, "/readiness", 200),
        row("primary", Fixtures::primary, "/sync", 503),
        row("primary", Fixtures::primary, "/async", 503),
        row("primary", Fixtures::primary, "/no-such-check", 503),
        // A standby cluster's lock holder: the leader, but not a primary (Patroni's answers).
        row("standby leader", Fixtures::standbyLeader, "/standby-leader", 200),
        row("standby leader", Fixtures::standbyLeader, "/standby_leader", 200),
        row("standby leader", Fixtures::standbyLeader, "/leader", 200),
        row("standby leader", Fixtures::standbyLeader, "/primary", 503),
        row("standby leader", Fixtures::standbyLeader, "/", 503),
        row("standby leader", Fixtures::standbyLeader, "/read-write", 503),
        row("standby leader", Fixtures::standbyLeader, "/replica", 503),
        row("standby leader", Fixtures::standbyLeader, "/read-only", 200),
        row("replica", Fixtures::replica, "/standby-leader", 503),
        // A streaming, caught-up replica (tag zone=a).
        row("replica", Fixtures::replica, "/", 503),
        row("replica", Fixtures::replica, "/primary", 503),
        row("replica", Fixtures::replica, "/leader", 503),
        row("replica", Fixtures::replica, "/replica", 200),
        row("replica", Fixtures::replica, "/read-only", 200),
        row("replica", Fixtures::replica, "/health", 200),
        row("replica", Fixtures::replica, "/liveness", 200),
        row("replica", Fixtures::replica, "/readiness", 200),
        row("replica", Fixtures::replica, "/async", 200),
        row("replica", Fixtures::replica, "/asynchronous", 200),
        row("replica", Fixtures::replica, "/sync", 503),
        row("replica", Fixtures::replica, "/synchronous", 503),
        row("replica", Fixtures::replica, "/replica?lag=1MB", 200),
        row("replica", Fixtures::replica, "/replica?replication_state=streaming", 200),
        row("replica", Fixtures::replica, "/replica?tag_zone=a", 200),
        row("replica", Fixtures::replica, "/replica?tag_zone=A", 200),
        row("replica", Fixtures::replica, "/replica?tag_zone=b", 503),
        row("replica", Fixtures::replica, "/replica?tag_rack=1", 503),
        row("replica", Fixtures::replica, "/read-only?tag_zone=b", 503),
        row("replica", Fixtures::replica, "/replica?lag=oops", 400),
        row("replica", Fixtures::replica, "/replica?lag=5XB", 400),
        row("replica", Fixtures::replica, "/replicas", 503),
        // A replica that load balancers must skip.
        row("noloadbalance", Fixtures::replicaNoLoadBalance, "/replica", 503),
        row("noloadbalance", Fixtures::replicaNoLoadBalance, "/read-only", 503),
        row("noloadbalance", Fixtures::replicaNoLoadBalance, "/health", 200),
        row("noloadbalance", Fixtures::replicaNoLoadBalance, "/readiness", 200),
        // 100 MiB behind on replay.
        row("lagging", Fixtures::laggingReplica, "/replica", 200),
        row("lagging", Fixtures::laggingReplica, "/replica?lag=1048576", 503),
        row("lagging", Fixtures::laggingReplica, "/replica?lag=16kB", 503),
        row("lagging", Fixtures::laggingReplica, "/replica?lag=64MB", 503),
        row("lagging", Fixtures::laggingReplica, "/replica?lag=100MB", 200),
        row("lagging", Fixtures::laggingReplica, "/replica?lag=1GB", 200),
        row("lagging", Fixtures::laggingReplica, "/read-only?lag=64MB", 503),
        row("lagging", Fixtures::laggingReplica, "/async?lag=64MB", 503),
        // Replaying from the archive only.
        row("archive", Fixtures::archiveReplica, "/replica", 200),
        row("archive", Fixtures::archiveReplica, "/replica?replication_state=streaming", 503),
        row("archive", Fixtures::archiveReplica, "/readiness", 503),
        // Listed in the sync key.
        row("sync", Fixtures::syncReplica, "/sync", 200),
        row("sync", Fixtures::syncReplica, "/synchronous", 200),
        row("sync", Fixtures::syncReplica, "/async", 503),
        row("sync", Fixtures::syncReplica, "/replica", 200),
        // PostgreSQL stopped.
        row("stopped", Fixtures::stopped, "/primary", 503),
        row("stopped", Fixtures::stopped, "/replica", 503),
        row("stopped", Fixtures::stopped, "/read-only", 503),
        row("stopped", Fixtures::stopped, "/health", 503),
        row("stopped", Fixtures::stopped, "/liveness", 200),
        row("stopped", Fixtures::stopped, "/readiness", 503),
        // Never read the DCS: sync state and DCS freshness are unknown.
        row("no snapshot", Fixtures::noSnapshot, "/replica", 200),
        row("no snapshot", Fixtures::noSnapshot, "/replica?lag=1kB", 200),
        row("no snapshot", Fixtures::noSnapshot, "/async", 503),
        row("no snapshot", Fixtures::noSnapshot, "/sync", 503),
        row("no snapshot", Fixtures::noSnapshot, "/readiness", 503),
        row("no snapshot", Fixtures::noSnapshot, "/health", 200),
        // Runs as a primary without the lock (a split-brain candidate): never advertised as the primary.
        row("primary without lock", Fixtures::primaryWithoutLock, "/primary", 503),
        row("primary without lock", Fixtures::primaryWithoutLock, "/leader", 503),
        row("primary without lock", Fixtures::primaryWithoutLock, "/read-only", 503),
        row("primary without lock", Fixtures::primaryWithoutLock, "/readiness", 503),
        row("primary without lock", Fixtures::primaryWithoutLock, "/health", 200),
        // The loop stalled.
        row("stale replica", () -> Fixtures.staleReplica(false), "/liveness", 503),
        row("stale replica", () -> Fixtures.staleReplica(false), "/readiness", 503),
        row("stale replica, paused", () -> Fixtures.staleReplica(true), "/liveness", 200),
        row("primary 12s since cycle", Fixtures::slowPrimary, "/liveness", 503),
        row("replica 12s since cycle", Fixtures::slowReplica, "/liveness", 200),
        // Issue 17, item 12: replicas off the leader's line of history are no replicas to balance reads to.
        row("past history", Fixtures::pastHistoryReplica, "/replica?lag=1MB", 503),
        row("past history", Fixtures::pastHistoryReplica, "/replica", 503),
        row("past history", Fixtures::pastHistoryReplica, "/read-only", 503),
        row("past history", Fixtures::pastHistoryReplica, "/async", 503),
        row("past history", Fixtures::pastHistoryReplica, "/health", 200),
        row("other fork", Fixtures::otherForkReplica, "/replica?lag=1MB", 503),
        row("other fork", Fixtures::otherForkReplica, "/read-only", 503),
        row("same line", Fixtures::sameLineReplica, "/replica?lag=1MB", 200),
        // Issue 11: a later timeline than the leader's, not streaming (LeaderTimeline.laterThanLeader).
        row("later timeline", () -> Fixtures.laterTimelineReplica(false), "/replica", 503),
        row("later timeline", () -> Fixtures.laterTimelineReplica(false), "/read-only", 503),
        row("later timeline, streaming", () -> Fixtures.laterTimelineReplica(true), "/replica", 200),
        // Nothing published yet.
        row("before first cycle", () -> null, "/health", 503),
        row("before first cycle", () -> null, "/liveness", 503),
        row("before first cycle", () -> null, "/replica", 503));
  }

  @ParameterizedTest(name = "{0}: {2} -> {3}")
  @MethodSource("table")
  void statusCodes(String fixture, Supplier<NodeStatus> status, String path, int expected) throws Exception {
    NodeStatus s = status.get();
    STATUS.set(s);
    HttpResponse<String> get = http.send("GET", path);
    assertThat(get.statusCode()).as("GET %s", path).isEqualTo(expected);
    if (expected == 400) {
      assertThat(get.body()).startsWith("lag: ");
    } else {
      JsonNode body = Json.MAPPER.readTree(get.body());
      assertThat(body.path("state").asText()).isEqualTo(s == null ? "starting" : s.state());
      if (s != null) {
        assertThat(body.path("patroni").path("name").asText()).isEqualTo(s.name());
      }
    }
    for (String method : List.of("HEAD", "OPTIONS")) {
      HttpResponse<String> r = http.send(method, path);
      assertThat(r.statusCode()).as("%s %s", method, path).isEqualTo(expected);
      assertThat(r.body()).as("%s body", method).isEmpty();
    }
  }

  @Test
  void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
    STATUS.set(Fixtures.primary());
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5000);
      var out = socket.getOutputStream();
      var in = new java.io.BufferedReader(
          new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
      for (String path : List.of("/primary", "/replica", "/health")) {
        out.write(("HEAD " + path + " HTTP/1.1\r\nHost: test\r\n\r\n").getBytes(
            java.nio.charset.StandardCharsets.US_ASCII));
        out.flush();
        String statusLine = in.readLine();
        assertThat(statusLine).startsWith("HTTP/1.1 " + (path.equals("/replica") ? "503" : "200"));
        // Skip the headers up to the blank line that ends them; HEAD has no body.
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
          assertThat(line.toLowerCase()).isNotEqualTo("connection: close");
        }
      }
    }
  }
}
