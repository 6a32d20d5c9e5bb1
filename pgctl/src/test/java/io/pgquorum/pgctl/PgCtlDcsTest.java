package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * pgctl against a real three-member Raft DCS on loopback ports, with the cluster's keys written the way the
 * coordinator writes them ({@link ClusterStore}): it lists while a majority is up, whichever member leads, and
 * reports an unreachable DCS as one error line, exit status 1, within a bounded time once the majority is gone.
 */
class PgCtlDcsTest {
  private static final long MIB = 1024L * 1024L;
  /** Long enough that no lease runs out during the test. */
  private static final Duration TTL = Duration.ofMinutes(5);

  private RatisTestCluster group;
  private final List<RatisDcsClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(RatisDcsClient::close);
    if (group != null) {
      group.close();
    }
  }

  private ClusterStore store(NodeConfig config, String member) {
    RatisDcsClient client = group.member(group.runningMembers().get(0)).localClient(member);
    clients.add(client);
    return new ClusterStore(client, new DcsKeys(config.keyPrefix()), member);
  }

  private static Map<String, Object> member(String host, String role, String state, Long xlog,
      Integer timeline, String replicationState) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("conn_url", "postgres://" + host + ":5432/postgres");
    m.put("api_url", "http://" + host + ":8008/patroni");
    m.put("state", state);
    m.put("role", role);
    m.put("version", "0.1.0");
    if (xlog != null) {
      m.put("xlog_location", xlog);
    }
    if (timeline != null) {
      m.put("timeline", timeline);
    }
    if (replicationState != null) {
      m.put("replication_state", replicationState);
    }
    return m;
  }

  @Test
  void listsTheClusterWhileAMajorityIsUpAndReportsAnUnreachableDcsOnceItIsNot() {
    group = RatisTestCluster.start("demo", 3);
    List<String> names = group.runningMembers();
    List<String> addrs = names.stream().map(n -> group.address(n).toString()).toList();
    group.awaitLeader(Duration.ofSeconds(30));
    NodeConfig config = TestConfigs.node("demo", addrs.get(0), addrs.subList(1, 3));

    ClusterStore pg1 = store(config, "pg1");
    assertThat(pg1.writeInitialize("7301234567890123456", Optional.empty())).isTrue();
    assertThat(pg1.acquireLeader(TTL)).isPresent();
    pg1.touchMember(member("10.0.0.1", "primary", "running", 200 * MIB, 4, null), TTL);
    pg1.writeStatus(200 * MIB, Map.of());
    store(config, "pg2").touchMember(
        member("10.0.0.2", "replica", "running", 200 * MIB - 7 * MIB, 4, "streaming"), TTL);
    store(config, "pg3").touchMember(member("10.0.0.3", "replica", "stopped", null, null, null), TTL);
    String expected = """
        + Cluster: demo (7301234567890123456) ----+----+-----------+
        | Member | Host     | Role    | State     | TL | Lag in MB |
        +--------+----------+---------+-----------+----+-----------+
        | pg1    | 10.0.0.1 | Leader  | running   |  4 |           |
        | pg2    | 10.0.0.2 | Replica | streaming |  4 |         7 |
        | pg3    | 10.0.0.3 | Replica | stopped   |    |   unknown |
        +--------+----------+---------+-----------+----+-----------+
        """;

    CliRun all = CliRun.dcs(config, "list");
    assertThat(all.err()).isEmpty();
    assertThat(all.status()).isZero();
    assertThat(all.out()).isEqualTo(expected);

    CliRun topology = CliRun.dcs(config, "topology", "demo");
    assertThat(topology.status()).isZero();
    assertThat(topology.out()).isEqualTo(expected.replace("| pg2  ", "| + pg2").replace("| pg3  ", "| + pg3"));

    // Lose the Raft leader: the other two elect a new one and still answer.
    String raftLeader = group.awaitLeader(Duration.ofSeconds(30));
    clients.forEach(RatisDcsClient::close);
    clients.clear();
    group.stopMember(raftLeader);
    CliRun majority = CliRun.dcs(config, "list", "-f", "json");
    assertThat(majority.err()).isEmpty();
    assertThat(majority.status()).isZero();
    assertThat(majority.out()).contains("\"Member\": \"pg2\"", "\"Lag in MB\": 7");

    // Lose the majority. A surviving Raft leader may still answer for a moment (its leader lease, shorter
    // than an election timeout, during which no other leader can exist), and those answers must be the real
    // state; once it steps down pgctl gives up within its operation timeout with one line naming the cluster.
    String second = names.stream().filter(n -> !n.equals(raftLeader)).findFirst().orElseThrow();
    group.stopMember(second);
    CliRun[] last = new CliRun[1];
    Duration[] took = new Duration[1];
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
      long start = System.nanoTime();
      last[0] = CliRun.dcs(config, "list");
      took[0] = Duration.ofNanos(System.nanoTime() - start);
      if (last[0].status() == 0) {
        assertThat(last[0].out()).isEqualTo(expected);
      }
      return last[0].status() != 0;
    });
    CliRun none = last[0];

    assertThat(none.status()).isEqualTo(1);
    assertThat(none.out()).isEmpty();
    assertThat(none.err()).startsWith("Error: cannot reach the DCS of cluster demo at "
        + String.join(", ", names.stream().map(n -> group.address(n).address()).toList())
        + ": no majority of its members answered within 5 s");
    assertThat(none.err().lines()).hasSize(1);
    assertThat(none.err()).doesNotContain("\tat ");
    // The bound is the behaviour: a 5 s operation timeout, plus closing the client; generous for a loaded CI.
    assertThat(took[0]).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void anUnparsableMemberAddressIsNamed() {
    NodeConfig config = TestConfigs.node("demo", "127.0.0.1:7001", List.of("not an address"));

    CliRun r = CliRun.dcs(config, "list");

    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).startsWith("Error: invalid configuration: raft.partner_addrs[0]");
  }

  /**
   * Issue 12: history, dsn, query, version, flush and remove for real: keys written by the coordinator's
   * ClusterStore into a real Raft group, a real PostgreSQL 15 behind pg1's conn_url, and pgquorum's own REST server
   * (the coordinator's RestServer, no admin actions yet, so DELETEs answer 503) behind pg1's api_url; pg2's api_url
   * answers nothing. remove runs on a throwaway copy of the cluster under another namespace in the same group and
   * must leave the real cluster's keys alone. Every output is also written to target/pgctl-real-run.txt.
   */
  @Test
  void historyDsnQueryVersionFlushAndRemoveAgainstRealServers(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    group = RatisTestCluster.start("demo", 3);
    List<String> addrs = group.runningMembers().stream().map(n -> group.address(n).toString()).toList();
    group.awaitLeader(Duration.ofSeconds(30));
    NodeConfig config = TestConfigs.node("demo", addrs.get(0), addrs.subList(1, 3));
    int[] ports = io.pgquorum.testkit.FreePorts.take(3);
    StringBuilder transcript = new StringBuilder();
    try (RealPostgres pg = RealPostgres.start(dir, ports[0])) {
      int serverVersion = pg.serverVersionNum();
      io.pgquorum.coordinator.postgres.PgState pgState = new io.pgquorum.coordinator.postgres.PgState(
          io.pgquorum.coordinator.postgres.PgState.DataDirState.INITIALIZED, true, java.util.OptionalLong.of(1),
          Optional.of(java.time.Instant.now()), io.pgquorum.coordinator.postgres.PgState.Role.PRIMARY, 3, 200 * MIB,
          java.util.OptionalLong.empty(), java.util.OptionalLong.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), List.of(), Optional.of("7301234567890123456"), serverVersion,
          java.util.OptionalLong.empty(), false, false, Optional.empty());
      io.pgquorum.coordinator.config.HostPort rest = new io.pgquorum.coordinator.config.HostPort("127.0.0.1",
          ports[1]);
      try (io.pgquorum.coordinator.rest.RestServer server = io.pgquorum.coordinator.rest.RestServer.start(
          new io.pgquorum.coordinator.config.RestApiConfig(rest, rest, Optional.empty(), List.of()),
          () -> new io.pgquorum.coordinator.ha.NodeStatus("demo", "pg1", pgState, "running", "primary", true,
              Optional.empty(), Optional.of(java.time.Instant.now()), "test",
              io.pgquorum.coordinator.config.Tags.none(),
              java.time.Instant.now(), System.nanoTime(), 1),
          io.pgquorum.coordinator.rest.AdminActions.unsupported())) {
        ClusterStore pg1 = store(config, "pg1");
        assertThat(pg1.writeInitialize("7301234567890123456", Optional.empty())).isTrue();
        assertThat(pg1.acquireLeader(TTL)).isPresent();
        Map<String, Object> leaderKey = member("127.0.0.1", "primary", "running", 200 * MIB, 3, null);
        leaderKey.put("conn_url", "postgres://127.0.0.1:" + ports[0] + "/postgres");
        leaderKey.put("api_url", "http://127.0.0.1:" + ports[1] + "/patroni");
        leaderKey.put("scheduled_restart", Map.of("schedule", "2030-01-01T00:00:00+00:00"));
        pg1.touchMember(leaderKey, TTL);
        Map<String, Object> replicaKey = member("127.0.0.1", "replica", "running", 200 * MIB, 3, "streaming");
        replicaKey.put("api_url", "http://127.0.0.1:" + ports[2] + "/patroni"); // nothing listens there
        replicaKey.put("conn_url", "postgres://127.0.0.1:" + ports[2] + "/postgres");
        store(config, "pg2").touchMember(replicaKey, TTL);
        assertThat(pg1.appendHistory(new io.pgquorum.coordinator.cluster.HistoryEntry(1, 25165984,
            "no recovery target specified", Optional.of("2026-12-03T10:00:00.000000+00:00"), Optional.of("pg2"))))
            .isTrue();
        assertThat(pg1.appendHistory(new io.pgquorum.coordinator.cluster.HistoryEntry(2, 50331800,
            "no recovery target specified", Optional.of("2026-12-03T11:00:00.000000+00:00"), Optional.of("pg1"))))
            .isTrue();
        RatisDcsClient raw = group.member(group.runningMembers().get(0)).localClient("test-writer");
        clients.add(raw);
        String failoverKey = new DcsKeys(config.keyPrefix()).failover();
        assertThat(raw.put(failoverKey, "{\"leader\": \"pg1\", \"member\": \"pg2\", \"scheduled_at\": "
            + "\"2030-01-02T03:04:05+00:00\"}").succeeded()).isTrue();

        CliRun history = real(transcript, config, "", "history");
        assertThat(history.status()).isZero();
        assertThat(history.out()).isEqualTo("""
            +----+----------+------------------------------+----------------------------------+------------+
            | TL |      LSN | Reason                       | Timestamp                        | New Leader |
            +----+----------+------------------------------+----------------------------------+------------+
            |  1 | 25165984 | no recovery target specified | 2026-12-03T10:00:00.000000+00:00 | pg2        |
            |  2 | 50331800 | no recovery target specified | 2026-12-03T11:00:00.000000+00:00 | pg1        |
            +----+----------+------------------------------+----------------------------------+------------+
            """);

        assertThat(real(transcript, config, "", "dsn").out()).isEqualTo("host=127.0.0.1 port=" + ports[0] + "\n");
        assertThat(real(transcript, config, "", "dsn", "-m", "pg2").out())
            .isEqualTo("host=127.0.0.1 port=" + ports[2] + "\n");

        CliRun query = real(transcript, config, "", "query", "-U", "postgres", "-d", "postgres", "-c",
            "select 1 as one, current_setting('server_version_num')::int as version, null as nothing");
        assertThat(query.err()).isEmpty();
        assertThat(query.out()).isEqualTo("one\tversion\tnothing\n1\t" + serverVersion + "\tNone\n");
        CliRun missing = real(transcript, config, "", "query", "-U", "postgres", "-c", "select * from nope",
            "--format", "pretty");
        assertThat(missing.status()).isZero();
        assertThat(missing.out()).contains("| ERROR, SQLSTATE: 42P01 |");
        CliRun replica = real(transcript, config, "", "query", "-U", "postgres", "-r", "replica", "-c", "select 1");
        assertThat(replica.out()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\tERROR, SQLSTATE: .*\n");

        CliRun version = real(transcript, config, "", "version", "demo");
        assertThat(version.status()).isZero();
        assertThat(version.out()).contains("\n\npg1: pgquorum 0.1.0 PostgreSQL 15." + serverVersion % 100 + "\n")
            .containsPattern("pg2: failed to get version: cannot connect to http://127.0.0.1:" + ports[2]
                + "/patroni \\(ConnectException.*\\)\n");

        CliRun flushRestart = real(transcript, config, "", "flush", "demo", "restart", "--force");
        assertThat(flushRestart.out()).contains("Failed: flush scheduled restart for member pg1, status code=503, (")
            .endsWith("No scheduled restart for member pg2\n");
        CliRun flushSwitchover = real(transcript, config, "", "flush", "demo", "switchover");
        assertThat(flushSwitchover.status()).isZero();
        assertThat(flushSwitchover.out()).startsWith("Failed: member=pg1, status_code=503, (")
            .contains("Could not find any accessible member of cluster demo");
        assertThat(raw.get(failoverKey).orElseThrow().value()).isEqualTo("{}");
        assertThat(real(transcript, config, "", "flush", "demo", "switchover").out())
            .isEqualTo("No pending scheduled switchover\n");

        // remove, on a copy of the cluster under another namespace of the same Raft group
        NodeConfig scratch = new NodeConfig(config.scope(), "/throwaway/", config.name(), config.restapi(),
            config.raft(), config.bootstrap(), config.postgresql(), config.tags(), config.log(), List.of());
        ClusterStore copy = new ClusterStore(raw, new DcsKeys(scratch.keyPrefix()), "pg1");
        assertThat(copy.writeInitialize("7301234567890123456", Optional.empty())).isTrue();
        assertThat(copy.acquireLeader(TTL)).isPresent();
        copy.touchMember(leaderKey, TTL);
        assertThat(raw.read(scratch.keyPrefix()).entries()).hasSize(3);
        CliRun wrong = real(transcript, scratch, "demo\nYes I am aware\npg2\n", "remove", "demo");
        assertThat(wrong.status()).isEqualTo(1);
        assertThat(wrong.err()).isEqualTo("Error: You did not specify the current leader of the cluster\n");
        assertThat(raw.read(scratch.keyPrefix()).entries()).hasSize(3);
        CliRun remove = real(transcript, scratch, "demo\nYes I am aware\npg1\n", "remove", "demo");
        assertThat(remove.err()).isEmpty();
        assertThat(remove.status()).isZero();
        assertThat(raw.read(scratch.keyPrefix()).entries()).isEmpty();
        assertThat(raw.read(config.keyPrefix()).entries()).hasSizeGreaterThanOrEqualTo(6);
        assertThat(real(transcript, config, "", "list").out()).contains("| pg1    | 127.0.0.1:" + ports[0]);
      } finally {
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "pgctl-real-run.txt"), transcript);
      }
    }
  }

  /** pgctl with the real outside world, a terminal answering with {@code input}; the run goes to the transcript. */
  private static CliRun real(StringBuilder transcript, NodeConfig config, String input, String... args) {
    Services services = new Services(true, Map.of(), new HttpMemberApi(false), new JdbcSqlRunner(),
        new DcsClusterWriter(DcsClusterSource.DEFAULT_TIMEOUT), (interval, started) -> false);
    CliRun r = CliRun.capture((out, err) -> PgCtl.run(args, config, new DcsClusterSource(
        DcsClusterSource.DEFAULT_TIMEOUT), services, new java.io.ByteArrayInputStream(
        input.getBytes(java.nio.charset.StandardCharsets.UTF_8)), out, err));
    transcript.append("$ pgctl ").append(String.join(" ", args))
        .append(input.isEmpty() ? "" : "   # answers: " + input.replace("\n", " | ")).append('\n')
        .append(r.out()).append(r.err().isEmpty() ? "" : "[stderr] " + r.err()).append("[exit ").append(r.status())
        .append("]\n\n");
    return r;
  }
}
