package io.pgquorum.coordinator.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.HostPort;
import io.pgquorum.coordinator.config.RestApiConfig;
import io.pgquorum.coordinator.ha.NodeStatus;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Admin endpoints: authentication, allowlist, body validation, delegation, limits. */
class AdminEndpointsTest {
  private static final String USER = "admin";
  private static final String PASSWORD = "pa55-w0rd-xyz";
  private static final String AUTH = TestHttp.basic(USER, PASSWORD);

  private final AtomicReference<NodeStatus> status = new AtomicReference<>(Fixtures.primary());
  private final RecordingAdmin admin = new RecordingAdmin();
  private RestServer server;
  private TestHttp http;

  @BeforeEach
  void start() {
    server = RestServer.start(TestHttp.config(Optional.of(Credentials.of(USER, PASSWORD)), List.of()), status::get,
        admin);
    http = new TestHttp(server.port());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void writesNeedCredentialsReadsDoNot() throws Exception {
    HttpResponse<String> none = http.send("POST", "/reload", null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"pgquorum\"");

    HttpResponse<String> wrong = http.send("POST", "/reload", null, TestHttp.basic(USER, PASSWORD + "x"));
    assertThat(wrong.statusCode()).isEqualTo(401);
    HttpResponse<String> wrongUser = http.send("POST", "/reload", null, TestHttp.basic("root", PASSWORD));
    assertThat(wrongUser.statusCode()).isEqualTo(401);
    HttpResponse<String> garbage = http.send("POST", "/reload", null, "Basic !!!not-base64");
    assertThat(garbage.statusCode()).isEqualTo(401);
    HttpResponse<String> bearer = http.send("POST", "/reload", null, "Bearer " + PASSWORD);
    assertThat(bearer.statusCode()).isEqualTo(401);
    assertThat(admin.calls).isEmpty();

    HttpResponse<String> ok = http.send("POST", "/reload", null, AUTH);
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(admin.calls).containsExactly(List.of("reload"));

    assertThat(http.send("GET", "/patroni").statusCode()).isEqualTo(200);
    assertThat(http.send("GET", "/primary").statusCode()).isEqualTo(200);
    for (HttpResponse<String> r : List.of(none, wrong, ok, http.send("GET", "/patroni"),
        http.send("GET", "/config"), http.send("GET", "/metrics"), http.send("GET", "/cluster"))) {
      assertThat(r.body()).doesNotContain(PASSWORD);
      assertThat(r.headers().map().toString()).doesNotContain(PASSWORD);
    }
  }

  @Test
  void unknownWritesAre501AndStillNeedCredentials() throws Exception {
    assertThat(http.send("DELETE", "/cluster", null, null).statusCode()).isEqualTo(401);
    HttpResponse<String> r = http.send("DELETE", "/cluster", null, AUTH);
    assertThat(r.statusCode()).isEqualTo(501);
    assertThat(r.body()).contains("DELETE /cluster");
    assertThat(http.send("PUT", "/switchover", "{}", AUTH).statusCode()).isEqualTo(501);
    assertThat(http.send("POST", "/patroni", "{}", AUTH).statusCode()).isEqualTo(501);
    assertThat(admin.calls).isEmpty();
  }

  @Test
  void cancelAndReplaceAreDelegated() throws Exception {
    // RecordingAdmin does not implement these: the interface's defaults answer 503 naming what is unavailable.
    HttpResponse<String> cancel = http.send("DELETE", "/switchover", null, AUTH);
    assertThat(cancel.statusCode()).isEqualTo(503);
    assertThat(cancel.body()).isEqualTo("cancelling a switchover is not available on this server");
    assertThat(http.send("DELETE", "/restart", null, AUTH).body())
        .isEqualTo("cancelling a restart is not available on this server");
    assertThat(http.send("PUT", "/config", "{\"ttl\":30}", AUTH).body())
        .isEqualTo("config change is not available on this server");
    assertThat(http.send("PUT", "/config", "", AUTH).statusCode()).isEqualTo(400);
  }

  @Test
  void inMaintenanceModeASwitchoverNeedsACandidateAndCannotBeScheduled() throws Exception {
    status.set(Fixtures.status("n1", Fixtures.primaryPg(), "running", "primary", true,
        Optional.of(Fixtures.snapshot(true)), Optional.of(java.time.Instant.now()), Fixtures.tags(Map.of()),
        System.nanoTime()));
    HttpResponse<String> scheduled = http.send("POST", "/switchover",
        "{\"leader\":\"n1\",\"candidate\":\"n2\",\"scheduled_at\":\"2099-01-01T00:00:00+00:00\"}", AUTH);
    assertThat(scheduled.statusCode()).isEqualTo(400);
    assertThat(scheduled.body()).isEqualTo("Can't schedule switchover in the paused state");
    HttpResponse<String> any = http.send("POST", "/switchover", "{\"leader\":\"n1\"}", AUTH);
    assertThat(any.statusCode()).isEqualTo(400);
    assertThat(any.body()).isEqualTo("Switchover is possible only to a specific candidate in a paused state");
    HttpResponse<String> named = http.send("POST", "/switchover", "{\"leader\":\"n1\",\"candidate\":\"n2\"}",
        AUTH);
    // To a named candidate it is carried out while paused, as in Patroni (PausedHandover).
    assertThat(named.statusCode()).isEqualTo(200);
    assertThat(named.body()).isEqualTo("done: switchover");
    HttpResponse<String> failover = http.send("POST", "/failover", "{\"candidate\":\"n2\"}", AUTH);
    assertThat(failover.statusCode()).isEqualTo(200);
    assertThat(admin.calls).containsExactly(List.of("switchover", "n1", Optional.of("n2"), Optional.empty()),
        List.of("failover", Optional.of("n2")));
  }

  @Test
  void switchoverIsDelegatedWithItsFields() throws Exception {
    HttpResponse<String> now = http.send("POST", "/switchover", "{\"leader\":\"n1\",\"candidate\":\"n2\"}", AUTH);
    assertThat(now.statusCode()).isEqualTo(200);
    assertThat(now.body()).isEqualTo("done: switchover");
    HttpResponse<String> later = http.send("POST", "/switchover",
        "{\"leader\":\"n1\",\"scheduled_at\":\"2030-01-02T03:04:05Z\"}", AUTH);
    assertThat(later.statusCode()).isEqualTo(202);
    HttpResponse<String> alias = http.send("POST", "/switchover", "{\"primary\":\"n1\",\"candidate\":\"\"}", AUTH);
    assertThat(alias.statusCode()).isEqualTo(200);
    assertThat(admin.calls).containsExactly(
        List.of("switchover", "n1", Optional.of("n2"), Optional.empty()),
        List.of("switchover", "n1", Optional.empty(), Optional.of("2030-01-02T03:04:05Z")),
        List.of("switchover", "n1", Optional.empty(), Optional.empty()));
  }

  /** Patroni's 422s: a time that cannot be read, and one in the past (after the zone check, before the rest). */
  @Test
  void scheduledTimesThatCannotBeUsedAre422() throws Exception {
    HttpResponse<String> garbage = http.send("POST", "/switchover",
        "{\"leader\":\"n1\",\"scheduled_at\":\"tomorrow\"}", AUTH);
    assertThat(garbage.statusCode()).isEqualTo(422);
    assertThat(garbage.body())
        .isEqualTo("Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO 8601");
    HttpResponse<String> past = http.send("POST", "/switchover",
        "{\"leader\":\"n1\",\"candidate\":\"n1\",\"scheduled_at\":\"2001-01-02T03:04:05+01:00\"}", AUTH);
    assertThat(past.statusCode()).isEqualTo(422);
    assertThat(past.body()).isEqualTo("Cannot schedule switchover in the past");
    assertThat(admin.calls).isEmpty();
  }

  /** {@code member} is {@code candidate}; a failover that names the leader is a switchover (Patroni 4). */
  @Test
  void aliasesAndAFailoverWithALeader() throws Exception {
    assertThat(http.send("POST", "/switchover", "{\"leader\":\"n1\",\"member\":\"n2\"}", AUTH).statusCode())
        .isEqualTo(200);
    assertThat(http.send("POST", "/failover", "{\"leader\":\"n1\",\"member\":\"n3\"}", AUTH).statusCode())
        .isEqualTo(200);
    assertThat(http.send("POST", "/failover", "{\"member\":\"n3\"}", AUTH).statusCode()).isEqualTo(200);
    assertThat(admin.calls).containsExactly(
        List.of("switchover", "n1", Optional.of("n2"), Optional.empty()),
        List.of("switchover", "n1", Optional.of("n3"), Optional.empty()),
        List.of("failover", Optional.of("n3")));
  }

  @Test
  void failoverRestartReinitializeAndConfigAreDelegated() throws Exception {
    assertThat(http.send("POST", "/failover", "{\"candidate\":\"n3\"}", AUTH).statusCode()).isEqualTo(200);
    assertThat(http.send("POST", "/restart", "", AUTH).statusCode()).isEqualTo(200);
    assertThat(http.send("POST", "/restart", "{\"role\":\"primary\"}", AUTH).statusCode()).isEqualTo(200);
    assertThat(http.send("POST", "/reinitialize", "{\"force\":true}", AUTH).statusCode()).isEqualTo(200);
    assertThat(http.send("POST", "/reinitialize", null, AUTH).statusCode()).isEqualTo(200);
    HttpResponse<String> patch = http.send("PATCH", "/config",
        "{\"ttl\":10,\"postgresql\":{\"parameters\":{\"work_mem\":null}}}", AUTH);
    assertThat(patch.statusCode()).isEqualTo(200);

    Map<String, Object> params = new HashMap<>();
    params.put("work_mem", null);
    assertThat(admin.calls).containsExactly(
        List.of("failover", Optional.of("n3")),
        List.of("restart"),
        List.of("restart", new AdminActions.RestartRequest(Optional.empty(), Optional.of("primary"),
            OptionalInt.empty(), false, OptionalInt.empty())),
        List.of("reinitialize", true),
        List.of("reinitialize", false),
        List.of("patchConfig", Map.of("ttl", 10, "postgresql", Map.of("parameters", params))));
  }

  @Test
  void scheduledRestartTimeoutAndFromLeaderAreDelegated() throws Exception {
    HttpResponse<String> later = http.send("POST", "/restart",
        "{\"schedule\":\"2099-01-02T03:04:05+00:00\",\"role\":\"replica\",\"timeout\":\"2min\"}", AUTH);
    assertThat(later.statusCode()).isEqualTo(202);
    HttpResponse<String> past = http.send("POST", "/restart", "{\"schedule\":\"2001-01-02T03:04:05Z\"}", AUTH);
    assertThat(past.statusCode()).isEqualTo(422);
    assertThat(past.body()).isEqualTo("Cannot schedule restart in the past");
    HttpResponse<String> garbled = http.send("POST", "/restart", "{\"schedule\":\"next tuesday\"}", AUTH);
    assertThat(garbled.statusCode()).isEqualTo(422);
    assertThat(garbled.body()).startsWith("Unable to parse scheduled timestamp");
    assertThat(http.send("POST", "/reinitialize", "{\"from_leader\":true}", AUTH).statusCode()).isEqualTo(200);
    // The role filter of a scheduled restart is evaluated when it fires, not against today's role.
    assertThat(admin.calls).containsExactly(
        List.of("restart", new AdminActions.RestartRequest(Optional.of("2099-01-02T03:04:05Z"),
            Optional.of("replica"), OptionalInt.empty(), false, OptionalInt.of(120))),
        List.of("reinitialize", false, "from_leader"));
  }

  @Test
  void restartConditionsAreCheckedAgainstTheStatus() throws Exception {
    // The node is a primary on 15.10 with nothing pending. restart_pending filters whenever it is there, even
    // false, as in Patroni (issue 12: a body with false restarted a node that had nothing pending).
    for (String body : List.of("{\"role\":\"replica\"}", "{\"restart_pending\":true}",
        "{\"restart_pending\":false}", "{\"role\":\"primary\",\"restart_pending\":false}",
        "{\"postgres_version\":\"15.10\"}", "{\"postgres_version\":\"14\"}")) {
      HttpResponse<String> r = http.send("POST", "/restart", body, AUTH);
      assertThat(r.statusCode()).as(body).isEqualTo(503);
      assertThat(r.body()).isEqualTo("restart conditions are not satisfied");
    }
    assertThat(admin.calls).isEmpty();
    assertThat(http.send("POST", "/restart", "{\"postgres_version\":\"15.11\"}", AUTH).statusCode())
        .isEqualTo(200);
    assertThat(http.send("POST", "/restart", "{\"role\":\"master\"}", AUTH).statusCode()).isEqualTo(200);
    assertThat(admin.calls).hasSize(2);
  }

  static Stream<Arguments> badBodies() {
    return Stream.of(
        Arguments.of("POST", "/switchover", "{}", "Switchover could be performed only from a specific leader"),
        Arguments.of("POST", "/switchover", "", "Switchover could be performed only from a specific leader"),
        Arguments.of("POST", "/switchover", "{\"leader\":5}", "leader: expected a string"),
        Arguments.of("POST", "/switchover", "{\"leader\":\"n1\",\"candidate\":[\"n2\"]}",
            "candidate: expected a string"),
        Arguments.of("POST", "/switchover", "{\"leader\":\"n1\",\"member\":7}", "member: expected a string"),
        Arguments.of("POST", "/switchover", "{\"leader\":\"n1\",\"scheduled_at\":\"2030-01-02T03:04:05\"}",
            "Timezone information is mandatory for the scheduled switchover"),
        Arguments.of("POST", "/switchover", "{\"leader\":\"n1\",\"candidate\":\"n1\"}",
            "Switchover target and source are the same"),
        Arguments.of("POST", "/switchover", "{\"leader\":\"n1\",\"member\":\"n1\"}",
            "Switchover target and source are the same"),
        Arguments.of("POST", "/switchover", "{\"leader\":\"n1\",\"canidate\":\"n2\"}", "canidate: unknown field"),
        Arguments.of("POST", "/switchover", "[\"n1\"]", "request body: expected a JSON object"),
        Arguments.of("POST", "/switchover", "{\"leader\":", "request body: not valid JSON at line 1"),
        Arguments.of("POST", "/failover", "{}", "Failover could be performed only to a specific candidate"),
        Arguments.of("POST", "/failover", "{\"candidate\":\"\"}",
            "Failover could be performed only to a specific candidate"),
        Arguments.of("POST", "/failover", "{\"leader\":\"n1\"}",
            "Failover could be performed only to a specific candidate"),
        Arguments.of("POST", "/failover", "{\"candidate\":\"n2\",\"scheduled_at\":\"2030-01-02T03:04:05Z\"}",
            "Failover can't be scheduled"),
        Arguments.of("POST", "/failover", "{\"candidate\":true}", "candidate: expected a string"),
        Arguments.of("PATCH", "/config", "", "request body: required"),
        Arguments.of("PATCH", "/config", "[1,2]", "request body: expected a JSON object"),
        Arguments.of("PATCH", "/config", "{ttl: 5}", "request body: not valid JSON"),
        Arguments.of("POST", "/restart", "{\"schedule\":\"2030-01-01T00:00:00\"}",
            "Timezone information is mandatory for the scheduled restart"),
        Arguments.of("POST", "/restart", "{\"timeout\":0}", "Timeout should be a positive number of seconds"),
        Arguments.of("POST", "/restart", "{\"timeout\":\"soon\"}", "Timeout should be a positive number of seconds"),
        Arguments.of("POST", "/restart", "{\"sched\":1}", "Unknown filter for the scheduled restart: sched"),
        Arguments.of("POST", "/restart", "{\"role\":\"boss\"}",
            "PostgreSQL role should be either primary, standby_leader, or replica"),
        Arguments.of("POST", "/restart", "{\"postgres_version\":\"fifteen\"}", "postgres_version: "),
        Arguments.of("POST", "/restart", "{\"restart_pending\":\"yes\"}", "restart_pending: expected true or false"),
        Arguments.of("POST", "/reinitialize", "{\"force\":\"yes\"}", "force: expected true or false"),
        Arguments.of("POST", "/reinitialize", "{\"from_leader\":1}", "from_leader: expected true or false"),
        Arguments.of("POST", "/reinitialize", "{\"forse\":true}", "forse: unknown field"));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("badBodies")
  void badBodiesAre400NamingTheField(String method, String path, String body, String message) throws Exception {
    HttpResponse<String> r = http.send(method, path, body, AUTH);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).startsWith(message);
    assertThat(admin.calls).isEmpty();
  }

  @Test
  void invalidJsonIsNotEchoed() throws Exception {
    HttpResponse<String> r = http.send("PATCH", "/config", "{\"password\": \"hunter2\" oops}", AUTH);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).doesNotContain("hunter2");
  }

  @Test
  void oversizedBodyIs413AndTheConnectionKeepsWorking() throws Exception {
    char[] big = new char[RestServer.MAX_BODY_BYTES + 1];
    Arrays.fill(big, ' ');
    String body = "{\"ttl\":10" + new String(big) + "}";
    assertThat(http.send("PATCH", "/config", body, AUTH).statusCode()).isEqualTo(413);
    assertThat(admin.calls).isEmpty();
    assertThat(http.send("GET", "/health").statusCode()).isEqualTo(200);
  }

  @Test
  void adminCallsThatThrowAre500WithoutDetails() throws Exception {
    server.close();
    AdminActions failing = new RecordingAdmin() {
      @Override
      public Result reload() {
        throw new IllegalStateException("internal detail");
      }
    };
    server = RestServer.start(TestHttp.config(Optional.empty(), List.of()), status::get, failing);
    http = new TestHttp(server.port());
    HttpResponse<String> r = http.send("POST", "/reload", null, null);
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).doesNotContain("internal detail").contains("POST /reload");
  }

  @Test
  void unsupportedAdminAnswers503() throws Exception {
    server.close();
    server = RestServer.start(TestHttp.config(Optional.empty(), List.of()), status::get, AdminActions.unsupported());
    http = new TestHttp(server.port());
    HttpResponse<String> r = http.send("POST", "/failover", "{\"candidate\":\"n2\"}", null);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("failover");
  }

  @Test
  void allowlistRefusesWritesFromOtherAddresses() throws Exception {
    server.close();
    server = RestServer.start(TestHttp.config(Optional.empty(), List.of("10.1.2.0/24", "192.0.2.7")), status::get,
        admin);
    http = new TestHttp(server.port());
    HttpResponse<String> r = http.send("POST", "/reload", null, null);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("restapi.allowlist");
    assertThat(http.send("GET", "/primary").statusCode()).isEqualTo(200);
    assertThat(admin.calls).isEmpty();

    server.close();
    server = RestServer.start(TestHttp.config(Optional.empty(), List.of("10.1.2.0/24", "127.0.0.0/8")),
        status::get, admin);
    http = new TestHttp(server.port());
    assertThat(http.send("POST", "/reload", null, null).statusCode()).isEqualTo(202);

    server.close();
    server = RestServer.start(TestHttp.config(Optional.empty(), List.of("localhost")), status::get, admin);
    http = new TestHttp(server.port());
    assertThat(http.send("POST", "/reload", null, null).statusCode()).isEqualTo(202);
  }

  @Test
  void cidrMatching() {
    AccessControl.Cidr net = AccessControl.Cidr.parse("10.1.2.128/25").get(0);
    assertThat(net.contains(addr("10.1.2.200"))).isTrue();
    assertThat(net.contains(addr("10.1.2.127"))).isFalse();
    assertThat(net.contains(addr("::1"))).isFalse();
    AccessControl.Cidr v6 = AccessControl.Cidr.parse("fd00::/8").get(0);
    assertThat(v6.contains(addr("fd12::1"))).isTrue();
    assertThat(v6.contains(addr("fe80::1"))).isFalse();
    assertThat(AccessControl.Cidr.parse("0.0.0.0/0").get(0).contains(addr("8.8.8.8"))).isTrue();
  }

  @Test
  void malformedAllowlistEntriesAreRefusedAtStart() {
    assertThatThrownBy(() -> RestServer.start(TestHttp.config(Optional.empty(), List.of("10.0.0.0/33")),
        status::get, admin)).hasMessageContaining("restapi.allowlist: '10.0.0.0/33'");
    assertThatThrownBy(() -> RestServer.start(TestHttp.config(Optional.empty(), List.of("example.com/8")),
        status::get, admin)).hasMessageContaining("restapi.allowlist: 'example.com/8'");
  }

  @Test
  void bindFailureNamesTheListenAddress() {
    RestApiConfig taken = new RestApiConfig(new HostPort("127.0.0.1", server.port()),
        new HostPort("127.0.0.1", server.port()), Optional.empty(), List.of());
    assertThatThrownBy(() -> RestServer.start(taken, status::get, admin))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("restapi.listen: cannot bind 127.0.0.1:" + server.port());
  }

  private static java.net.InetAddress addr(String literal) {
    try {
      return java.net.InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
