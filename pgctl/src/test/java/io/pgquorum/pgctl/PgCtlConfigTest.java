package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.Credentials;
import io.pgquorum.coordinator.config.CtlConfig;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgctl pause}, {@code resume}, {@code show-config} and {@code edit-config} against a real three-member Raft
 * DCS: patronictl's messages and exit codes, the key written only after the coordinator's checks, no prompt
 * without a terminal.
 */
class PgCtlConfigTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONFIG = "{\"ttl\":8,\"loop_wait\":1,\"retry_timeout\":2,"
      + "\"postgresql\":{\"parameters\":{\"max_connections\":100}}}";
  private static RatisTestCluster group;
  private static NodeConfig config;
  private final List<RatisDcsClient> clients = new ArrayList<>();
  private RatisDcsClient admin;
  private DcsKeys keys;
  /** pg1's REST API (the test plays the node): pause and resume go through it. */
  private ConfigPatchServer pg1;

  @BeforeAll
  static void startGroup() {
    group = RatisTestCluster.start("demo", 3);
    group.awaitLeader(WAIT);
    List<String> addrs = group.runningMembers().stream().map(n -> group.address(n).toString()).toList();
    config = TestConfigs.node("demo", addrs.get(0), addrs.subList(1, 3));
  }

  @AfterAll
  static void stopGroup() {
    group.close();
  }

  @BeforeEach
  void seed() {
    admin = client("test");
    keys = new DcsKeys(config.keyPrefix());
    admin.deletePrefix(config.keyPrefix());
    admin.put(keys.config(), CONFIG);
    ConfigCommands.terminal = () -> false;
    ConfigCommands.poll = Duration.ofMillis(100);
    try {
      pg1 = new ConfigPatchServer(client("pg1"), keys, "pg1");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    pg1.publish();
  }

  @AfterEach
  void close() {
    pg1.close();
    clients.forEach(RatisDcsClient::close);
    ConfigCommands.terminal = () -> System.console() != null;
    ConfigCommands.env = System::getenv;
  }

  private RatisDcsClient client(String owner) {
    RatisDcsClient c = group.member(group.runningMembers().get(0)).localClient(owner);
    clients.add(c);
    return c;
  }

  private JsonNode stored() throws Exception {
    return JSON.readTree(admin.get(keys.config()).orElseThrow().value());
  }

  private long revision() {
    return admin.get(keys.config()).orElseThrow().modRevision();
  }

  @Test
  void pauseAndResumeWithPatronictlsMessages() throws Exception {
    CliRun pause = CliRun.dcs(config, "pause");
    assertThat(pause.out()).isEqualTo("Success: cluster management is paused\n");
    assertThat(pause.status()).isZero();
    // patronictl's request: PATCH /config {"pause": true} to a member's REST API (no credentials configured).
    assertThat(pg1.requests).containsExactly("PATCH /config -");
    assertThat(stored().path("pause").asBoolean()).isTrue();
    assertThat(stored().path("postgresql").path("parameters").path("max_connections").asInt()).isEqualTo(100);

    CliRun again = CliRun.dcs(config, "pause", "demo");
    assertThat(again.status()).isEqualTo(1);
    assertThat(again.err()).isEqualTo("Error: Cluster is already paused\n");

    CliRun resume = CliRun.dcs(config, "resume");
    assertThat(resume.out()).isEqualTo("Success: cluster management is resumed\n");
    assertThat(stored().has("pause")).isFalse();
    assertThat(stored().path("postgresql").path("parameters").path("max_connections").asInt()).isEqualTo(100);

    CliRun notPaused = CliRun.dcs(config, "resume");
    assertThat(notPaused.status()).isEqualTo(1);
    assertThat(notPaused.err()).isEqualTo("Error: Cluster is not paused\n");

    CliRun otherCluster = CliRun.dcs(config, "pause", "other");
    assertThat(otherCluster.status()).isEqualTo(2);
    assertThat(otherCluster.err()).contains("Error: cluster 'other' is not the cluster of this configuration");
  }

  @Test
  void pauseWaitNamesTheMembersThatDidNotSeeIt() throws Exception {
    ClusterStore pg2 = new ClusterStore(client("pg2"), keys, "pg2");
    Map<String, Object> member = new LinkedHashMap<>();
    member.put("api_url", "http://10.0.0.2:8008/patroni");
    member.put("state", "running");
    member.put("role", "replica");
    pg2.touchMember(member, Duration.ofMinutes(5));
    CliRun lagging = CliRun.dcs(config, "pause", "--wait");
    assertThat(lagging.status()).isZero();
    assertThat(lagging.out()).isEqualTo("'pause' request sent, waiting until it is recognized by all nodes\n"
        + "pg2 members didn't recognized pause state after 1 seconds\n");

    // A member that publishes pause: true (as the coordinator does once it has seen it) counts.
    member.put("pause", true);
    pg2.touchMember(member, Duration.ofMinutes(5));
    admin.put(keys.config(), CONFIG);
    CliRun seen = CliRun.dcs(config, "pause", "--wait");
    assertThat(seen.out()).isEqualTo("'pause' request sent, waiting until it is recognized by all nodes\n"
        + "Success: cluster management is paused\n");
  }

  /** A member key for {@code name} whose REST API refuses connections (a closed local port). */
  private void unreachableMember(String name) throws Exception {
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    Map<String, Object> member = new LinkedHashMap<>();
    member.put("api_url", "http://127.0.0.1:" + closed + "/patroni");
    member.put("state", "running");
    member.put("role", "replica");
    new ClusterStore(client(name), keys, name).touchMember(member, Duration.ofMinutes(5));
  }

  private static String basic(String user, String password) {
    return "Basic " + java.util.Base64.getEncoder().encodeToString(
        (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void pauseAsksTheLeaderFirstWithTheCtlCredentials() throws Exception {
    // pg0 sorts first but is not the leader: patronictl asks the leader first, so pg0 is never tried.
    unreachableMember("pg0");
    assertThat(pg1.store().acquireLeader(Duration.ofMinutes(5))).isPresent();
    NodeConfig withAuth = TestConfigs.withRestClient(config,
        java.util.Optional.of(Credentials.of("node", "node-Secret")),
        new CtlConfig(java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(),
            java.util.Optional.empty(), false, java.util.Optional.of(Credentials.of("ops", "ops-Secret"))));
    pg1.requireAuthorization = java.util.Optional.of(basic("ops", "ops-Secret"));
    CliRun pause = CliRun.dcs(withAuth, "pause");
    assertThat(pause.status()).as(pause.err()).isZero();
    assertThat(pause.out()).isEqualTo("Success: cluster management is paused\n");
    assertThat(pause.err()).isEmpty();
    assertThat(pg1.requests).containsExactly("PATCH /config " + basic("ops", "ops-Secret"));
    assertThat(stored().path("pause").asBoolean()).isTrue();

    // Without ctl.authentication, patronictl falls back to restapi.authentication.
    NodeConfig restapiOnly = TestConfigs.withRestClient(config,
        java.util.Optional.of(Credentials.of("node", "node-Secret")), CtlConfig.none());
    pg1.requireAuthorization = java.util.Optional.of(basic("node", "node-Secret"));
    CliRun resume = CliRun.dcs(restapiOnly, "resume");
    assertThat(resume.out()).isEqualTo("Success: cluster management is resumed\n");
    assertThat(stored().has("pause")).isFalse();
  }

  @Test
  void aRefusedPasswordIsPatronictlsFailedLineAndNothingChanges() throws Exception {
    pg1.requireAuthorization = java.util.Optional.of(basic("ops", "right-Secret"));
    NodeConfig wrong = TestConfigs.withRestClient(config, java.util.Optional.empty(),
        new CtlConfig(java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(),
            java.util.Optional.empty(), false, java.util.Optional.of(Credentials.of("ops", "wrong-Secret"))));
    long before = revision();
    CliRun pause = CliRun.dcs(wrong, "pause");
    // patronictl: "Failed: pause cluster management status code=401, (...)" and exit 0.
    assertThat(pause.out()).isEqualTo("Failed: pause cluster management status code=401, (authentication "
        + "required)\n");
    assertThat(pause.status()).isZero();
    assertThat(revision()).isEqualTo(before);
    assertThat(pause.out() + pause.err()).doesNotContain("wrong-Secret", "right-Secret");
  }

  @Test
  void noReachableMemberIsPatronictlsError() throws Exception {
    pg1.close();
    admin.deletePrefix(keys.membersPrefix());
    unreachableMember("pg0");
    CliRun pause = CliRun.dcs(config, "pause");
    assertThat(pause.status()).isEqualTo(1);
    assertThat(pause.err()).startsWith("cannot connect to http://127.0.0.1:")
        .endsWith("Member pg0 is not accessible\nError: Can not find accessible cluster member\n");
    assertThat(stored().has("pause")).isFalse();
  }

  @Test
  void showConfigIsSortedBlockYaml() {
    CliRun show = CliRun.dcs(config, "show-config");
    assertThat(show.status()).isZero();
    assertThat(show.out()).isEqualTo("loop_wait: 1\npostgresql:\n  parameters:\n    max_connections: 100\n"
        + "retry_timeout: 2\nttl: 8\n");
  }

  @Test
  void setAndPgWithForceShowTheDiffAndWrite() throws Exception {
    CliRun r = CliRun.dcs(config, "edit-config", "-s", "ttl=20", "-p", "pg_stat_statements.max=1000",
        "--set=loop_wait=2", "--force");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("""
        --- \n+++ \n@@ -1,6 +1,7 @@
        -loop_wait: 1
        +loop_wait: 2
         postgresql:
           parameters:
             max_connections: 100
        +    pg_stat_statements.max: 1000
         retry_timeout: 2
        -ttl: 8
        +ttl: 20
        Configuration changed
        """);
    assertThat(stored().path("ttl").asInt()).isEqualTo(20);
    assertThat(stored().path("postgresql").path("parameters").path("pg_stat_statements.max").asInt())
        .isEqualTo(1000);

    // null removes; a parent left empty goes too.
    CliRun removed = CliRun.dcs(config, "edit-config", "-q", "-p", "max_connections=null", "-p",
        "pg_stat_statements.max=null", "--force");
    assertThat(removed.out()).isEqualTo("Configuration changed\n");
    assertThat(stored().has("postgresql")).isFalse();
  }

  @Test
  void aDocumentTheNodesWouldRefuseIsNotWrittenAndEveryProblemIsNamed() {
    long before = revision();
    CliRun r = CliRun.dcs(config, "edit-config", "-q", "-s", "ttl=2", "-s", "retry_timeout=soon", "--force");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).startsWith("Error: invalid configuration, nothing was changed:")
        .contains("config.ttl: ", "config.retry_timeout: ");
    assertThat(revision()).isEqualTo(before);
  }

  @Test
  void withoutATerminalAndWithoutForceNothingIsAskedNorWritten() {
    long before = revision();
    CliRun r = CliRun.dcs(config, "edit-config", "-s", "ttl=20");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).contains("-ttl: 8\n+ttl: 20\n");
    assertThat(r.err()).contains("Error: not applied: \"Apply these changes?\" needs an answer and there is no "
        + "terminal; use --force");
    CliRun editor = CliRun.dcs(config, "edit-config");
    assertThat(editor.status()).isEqualTo(1);
    assertThat(editor.err()).contains("opens an editor, which needs a terminal");
    assertThat(revision()).isEqualTo(before);
  }

  @Test
  void onATerminalTheAnswerDecides() throws Exception {
    ConfigCommands.terminal = () -> true;
    CliRun no = CliRun.dcsAnswering(config, "n\n", "edit-config", "-q", "-s", "ttl=20");
    assertThat(no.status()).isZero();
    assertThat(no.out()).isEqualTo("Apply these changes? [y/N]: ");
    assertThat(stored().path("ttl").asInt()).isEqualTo(8);
    CliRun yes = CliRun.dcsAnswering(config, "y\n", "edit-config", "-q", "-s", "ttl=20");
    assertThat(yes.out()).isEqualTo("Apply these changes? [y/N]: Configuration changed\n");
    assertThat(stored().path("ttl").asInt()).isEqualTo(20);
  }

  @Test
  void applyAndReplaceFromStandardInputNeedForce() throws Exception {
    long before = revision();
    CliRun noForce = CliRun.dcsAnswering(config, "ttl: 30\n", "edit-config", "-q", "--apply", "-");
    assertThat(noForce.out()).isEqualTo("Use --force option to apply changes\n");
    assertThat(noForce.status()).isEqualTo(1);
    assertThat(revision()).isEqualTo(before);

    CliRun apply = CliRun.dcsAnswering(config, "ttl: 30\npostgresql:\n  parameters:\n    work_mem: 8MB\n",
        "edit-config", "-q", "--apply", "-", "--force");
    assertThat(apply.out()).isEqualTo("Configuration changed\n");
    assertThat(stored().path("ttl").asInt()).isEqualTo(30);
    assertThat(stored().path("postgresql").path("parameters").path("max_connections").asInt()).isEqualTo(100);

    CliRun replace = CliRun.dcsAnswering(config, "ttl: 12\n", "edit-config", "-q", "--replace", "-", "--force");
    assertThat(replace.out()).isEqualTo("Configuration changed\n");
    assertThat(stored().toString()).isEqualTo("{\"ttl\":12}");
  }

  @Test
  void unchangedBadSettingAndMissingKey() {
    CliRun same = CliRun.dcs(config, "edit-config", "-s", "ttl=8", "--force");
    assertThat(same.out()).isEqualTo("Not changed\n");
    assertThat(same.status()).isZero();
    CliRun bad = CliRun.dcs(config, "edit-config", "-s", "ttl", "--force");
    assertThat(bad.status()).isEqualTo(1);
    assertThat(bad.err()).isEqualTo("Error: Invalid parameter setting ttl\n");
    admin.delete(keys.config());
    CliRun missing = CliRun.dcs(config, "edit-config", "-s", "ttl=9", "--force");
    assertThat(missing.err()).isEqualTo("Error: The config key does not exist in the cluster demo\n");
    assertThat(missing.status()).isEqualTo(1);
  }

  @Test
  void theEditorEditsTheYamlAndTheChangeIsApplied(@TempDir Path dir) throws Exception {
    Path editor = dir.resolve("ed.sh");
    Files.writeString(editor, "#!/bin/sh\nsed -i 's/^ttl: 8$/ttl: 15/' \"$1\"\n");
    Files.setPosixFilePermissions(editor, PosixFilePermissions.fromString("rwx------"));
    ConfigCommands.terminal = () -> true;
    ConfigCommands.env = name -> name.equals("EDITOR") ? editor.toString() : System.getenv(name);
    CliRun r = CliRun.dcs(config, "edit-config", "--force");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).endsWith("-ttl: 8\n+ttl: 15\nConfiguration changed\n");
    assertThat(stored().path("ttl").asInt()).isEqualTo(15);
  }
}
