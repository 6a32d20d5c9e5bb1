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
}
