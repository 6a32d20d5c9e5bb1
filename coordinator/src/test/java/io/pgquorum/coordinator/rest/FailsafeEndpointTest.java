package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.cluster.Versioned;
import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.DynamicConfig;
import io.pgquorum.coordinator.ha.FailsafePromises;
import io.pgquorum.coordinator.ha.FailsafeRules;
import io.pgquorum.coordinator.ha.HeldLease;
import io.pgquorum.coordinator.ha.NodeStatus;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /failsafe} and {@code GET /failsafe} on a real server, and {@link FailsafeClient} against it: Patroni's
 * codes (200 Accepted, 500 Running as a leader, 502 without failsafe mode), authentication, and the promise recorded.
 */
class FailsafeEndpointTest {
  private static final String USER = "admin";
  private static final String PASSWORD = "pa55-w0rd-xyz";

  private final AtomicReference<NodeStatus> status = new AtomicReference<>(withFailsafe(Fixtures.replica(), true));
  private final HeldLease lease = new HeldLease();
  private final FailsafePromises promises = new FailsafePromises(lease, System::nanoTime, 0);
  private RestServer server;
  private TestHttp http;

  /** {@code s} with failsafe_mode set in its snapshot's config, and the failsafe key listing n1..n3. */
  static NodeStatus withFailsafe(NodeStatus s, boolean on) {
    ClusterSnapshot c = s.cluster().orElseThrow();
    DynamicConfig d = c.config().orElseThrow().value();
    Map<String, Object> raw = new LinkedHashMap<>(d.raw());
    raw.put("failsafe_mode", on);
    DynamicConfig changed = d.withRaw(raw);
    ClusterSnapshot next = new ClusterSnapshot(c.revision(), c.initialize(), Optional.of(new Versioned<>(changed, 5)),
        c.leader(), c.members(), c.failover(), c.sync(), c.history(), c.status(), c.backups(), c.restore(),
        on ? Optional.of(Map.of("n1", "http://10.0.0.1:8008/patroni", "n2", "http://10.0.0.2:8008/patroni"))
            : Optional.empty());
    return new NodeStatus(s.scope(), s.name(), s.pg(), s.state(), s.role(), s.holdsLock(), Optional.of(next),
        s.dcsLastSeen(), s.message(), s.tags(), s.cycleAt(), s.cycleNanos(), s.cycles());
  }

  @BeforeEach
  void start() {
    server = RestServer.start(TestHttp.config(Optional.of(Credentials.of(USER, PASSWORD)), List.of()), status::get,
        new RecordingAdmin());
    server.useFailsafe(promises);
    http = new TestHttp(server.port());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> post(String body) throws Exception {
    return http.send("POST", "/failsafe", body, TestHttp.basic(USER, PASSWORD));
  }

  @Test
  void aPromiseIsAcceptedAndRecordedForTheLongerTtl() throws Exception {
    assertThat(http.send("POST", "/failsafe", "{\"name\":\"n1\"}", null).statusCode()).isEqualTo(401);
    assertThat(promises.sample().promise()).isEmpty();

    long before = System.nanoTime();
    HttpResponse<String> r = post("{\"name\":\"n1\",\"conn_url\":\"postgres://x/y\",\"ttl\":30}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("Accepted");
    var promise = promises.sample().promise().orElseThrow();
    assertThat(promise.leader()).isEqualTo("n1");
    assertThat(promise.untilNanos() - before)
        .isGreaterThanOrEqualTo(FailsafeRules.promiseNanos(Duration.ofSeconds(30)));
    assertThat(promises.beginRace()).isFalse();
  }

  /** Patroni's {@code slots} in the body: kept with the promise (the replica moves its copies to them). */
  @Test
  void theSlotPositionsSentAreKeptWithThePromise() throws Exception {
    assertThat(post("{\"name\":\"n1\",\"slots\":{\"n1\":5000,\"n3\":4000}}").statusCode()).isEqualTo(200);
    assertThat(promises.sample().promise().orElseThrow().slots()).containsExactly(
        java.util.Map.entry("n1", 5000L), java.util.Map.entry("n3", 4000L));
    // A later round from the same primary brings newer positions.
    assertThat(post("{\"name\":\"n1\",\"slots\":{\"n1\":6000}}").statusCode()).isEqualTo(200);
    assertThat(promises.sample().promise().orElseThrow().slots()).containsExactly(java.util.Map.entry("n1", 6000L));
    HttpResponse<String> bad = post("{\"name\":\"n1\",\"slots\":{\"n1\":\"0/5000\"}}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).isEqualTo("slots: the position of n1 must be a non-negative integer");
    assertThat(post("{\"name\":\"n1\",\"slots\":[1]}").body()).startsWith("slots:");
  }

  @Test
  void aNodeRacingOrHoldingTheLeaseAnswersRunningAsALeader() throws Exception {
    assertThat(promises.beginRace()).isTrue();
    HttpResponse<String> r = post("{\"name\":\"n1\"}");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).isEqualTo("Running as a leader");
    promises.endRace();
    assertThat(post("{\"name\":\"n1\"}").statusCode()).isEqualTo(200);
  }

  @Test
  void withoutFailsafeModeBothAnswer502AndBadBodiesNameTheField() throws Exception {
    assertThat(http.send("GET", "/failsafe").statusCode()).isEqualTo(200);
    assertThat(http.send("GET", "/failsafe").body()).contains("\"n1\":\"http://10.0.0.1:8008/patroni\"");
    assertThat(post("{}").body()).startsWith("name:");
    assertThat(post("{\"name\":\"n1\",\"ttl\":\"soon\"}").body()).startsWith("ttl:");
    status.set(withFailsafe(Fixtures.replica(), false));
    assertThat(post("{\"name\":\"n1\"}").statusCode()).isEqualTo(502);
    assertThat(http.send("GET", "/failsafe").statusCode()).isEqualTo(502);
    assertThat(promises.sample().promise()).isEmpty();
  }

  @Test
  void theClientCountsOnlyTwoHundreds() {
    FailsafeClient client = new FailsafeClient(Duration.ofSeconds(2), Optional.of(Credentials.of(USER, PASSWORD)),
        null, "postgres://n1/postgres", "http://n1:8008/patroni");
    String url = "http://127.0.0.1:" + server.port() + "/patroni";
    Map<String, String> peers = Map.of("n2", url, "n9", "http://127.0.0.1:1/patroni");
    assertThat(client.accepted(peers, "n1", Duration.ofSeconds(8), Map.of("n1", 5000L))).containsExactly("n2");
    assertThat(promises.sample().promise().orElseThrow().leader()).isEqualTo("n1");
    // Wrong credentials: a 401 is no promise.
    FailsafeClient wrong = new FailsafeClient(Duration.ofSeconds(2), Optional.of(Credentials.of(USER, "nope")),
        null, "postgres://n1/postgres", "http://n1:8008/patroni");
    assertThat(wrong.accepted(Map.of("n2", url), "n1", Duration.ofSeconds(8), Map.of())).isEmpty();
  }
}
