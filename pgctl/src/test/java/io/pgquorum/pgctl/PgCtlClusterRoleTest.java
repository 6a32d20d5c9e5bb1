package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgquorum.coordinator.cluster.ClusterStore;
import io.pgquorum.coordinator.cluster.DcsKeys;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.dcs.api.KeyValue;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code pgctl promote-cluster} and {@code demote-cluster} against a real three-member Raft DCS: the config key
 * gets (or loses) exactly its standby_cluster section, every other key as stored (unknown ones included), a
 * change made while pgctl asks for confirmation survives, and pgctl waits until the leader's member key shows
 * the new role. The test plays the coordinator: it publishes the leader's new role once the key has changed.
 */
class PgCtlClusterRoleTest {
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STANDBY_CONFIG = "{\"ttl\":30,\"loop_wait\":10,\"custom_key\":{\"kept\":[1,\"two\"]},"
      + "\"postgresql\":{\"parameters\":{\"max_connections\":200}},"
      + "\"standby_cluster\":{\"host\":\"10.9.0.1\",\"port\":5432,\"primary_slot_name\":\"dr\"},\"retry_timeout\":10}";

  private RatisTestCluster group;
  private final List<RatisDcsClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(RatisDcsClient::close);
    if (group != null) {
      group.close();
    }
  }

  private RatisDcsClient client(String owner) {
    RatisDcsClient c = group.member(group.runningMembers().get(0)).localClient(owner);
    clients.add(c);
    return c;
  }

  private static Map<String, Object> member(String host, String role, String state) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("conn_url", "postgres://" + host + ":5432/postgres");
    m.put("api_url", "http://" + host + ":8008/patroni");
    m.put("state", state);
    m.put("role", role);
    m.put("version", "0.1.0");
    m.put("xlog_location", 1000);
    m.put("timeline", 1);
    return m;
  }

  private static Map<String, Object> doc(String json) throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = JSON.readValue(json, LinkedHashMap.class);
    return m;
  }

  @Test
  void promotesAndDemotesByRewritingOnlyTheStandbySection() throws Exception {
    group = RatisTestCluster.start("demo", 3);
    List<String> addrs = group.runningMembers().stream().map(n -> group.address(n).toString()).toList();
    group.awaitLeader(WAIT);
    NodeConfig config = TestConfigs.node("demo", addrs.get(0), addrs.subList(1, 3));
    DcsKeys keys = new DcsKeys(config.keyPrefix());
    RatisDcsClient admin = client("test");
    admin.put(keys.config(), STANDBY_CONFIG);
    ClusterStore pg1 = new ClusterStore(client("pg1"), keys, "pg1");
    ClusterStore pg2 = new ClusterStore(client("pg2"), keys, "pg2");
    assertThat(pg1.writeInitialize("7301234567890123456", Optional.empty())).isTrue();
    pg1.touchMember(member("10.0.0.1", "standby_leader", "running"), TTL);
    pg2.touchMember(member("10.0.0.2", "replica", "streaming"), TTL);

    // No leader: nothing to promote, nothing written.
    long before = admin.get(keys.config()).orElseThrow().modRevision();
    CliRun noLeader = CliRun.dcs(config, "promote-cluster", "--force");
    assertThat(noLeader.status()).isEqualTo(1);
    assertThat(noLeader.err()).isEqualTo("Error: Cluster has no leader, promotion is not possible\n");
    assertThat(admin.get(keys.config()).orElseThrow().modRevision()).isEqualTo(before);

    assertThat(pg1.acquireLeader(TTL)).isPresent();

    // Promote, asked first; while pgctl waits for the answer someone else changes the config: that change stays.
    PipedOutputStream answers = new PipedOutputStream();
    PipedInputStream in = new PipedInputStream(answers);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CompletableFuture<Integer> promote = CompletableFuture.supplyAsync(() -> PgCtl.run(
        new String[] {"promote-cluster", "demo"}, config, in, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)));
    await("the confirmation prompt").atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> out.toString(StandardCharsets.UTF_8).endsWith("[y/N]: "));
    String prompted = out.toString(StandardCharsets.UTF_8);
    assertThat(prompted).startsWith("Current cluster topology\n+ Cluster: demo (7301234567890123456)")
        .contains("| pg1    | 10.0.0.1 | Standby Leader |")
        .endsWith("Are you sure you want to promote demo cluster? [y/N]: ");
    assertThat(admin.get(keys.config()).orElseThrow().modRevision()).as("nothing written before the answer")
        .isEqualTo(before);
    admin.put(keys.config(), STANDBY_CONFIG.replace("\"ttl\":30", "\"ttl\":45"));
    answers.write("y\n".getBytes(StandardCharsets.UTF_8));
    answers.flush();

    Map<String, Object> promoted = doc(STANDBY_CONFIG.replace("\"ttl\":30", "\"ttl\":45"));
    promoted.remove("standby_cluster");
    await("the config key loses standby_cluster").atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> !doc(admin.get(keys.config()).orElseThrow().value()).containsKey("standby_cluster"));
    String stored = admin.get(keys.config()).orElseThrow().value();
    assertThat(doc(stored)).as("every other key as stored, the concurrent ttl change included")
        .isEqualTo(promoted);
    assertThat(List.copyOf(doc(stored).keySet())).as("in the stored order")
        .containsExactly("ttl", "loop_wait", "custom_key", "postgresql", "retry_timeout");
    // pgctl waits for the leader's new role: it is still running until the "coordinator" publishes it.
    await("a progress line").atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> out.toString(StandardCharsets.UTF_8).contains(
            " cluster is unlocked: False, leader role: standby_leader, leader state: running\n"));
    assertThat(promote).isNotDone();
    pg1.touchMember(member("10.0.0.1", "primary", "running"), TTL);
    assertThat(promote.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
    String done = out.toString(StandardCharsets.UTF_8);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(done).containsPattern("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d cluster is successfully promoted\n"
        + "\\+ Cluster: demo \\(7301234567890123456\\)");
    assertThat(done.substring(done.indexOf("successfully promoted"))).contains("| pg1    | 10.0.0.1 | Leader  |");

    // Promoting a cluster with its own primary: Patroni's answer, nothing written.
    KeyValue afterPromotion = admin.get(keys.config()).orElseThrow();
    CliRun again = CliRun.dcs(config, "promote-cluster", "--force");
    assertThat(again.status()).isEqualTo(1);
    assertThat(again.out()).isEmpty();
    assertThat(again.err()).isEqualTo("Error: Cluster is already in the required state\n");
    assertThat(admin.get(keys.config()).orElseThrow()).isEqualTo(afterPromotion);

    // Demote: "no" aborts without a write.
    CliRun no = CliRun.dcsAnswering(config, "n\n", "demote-cluster", "--host", "10.9.0.7", "--port", "5433");
    assertThat(no.status()).isEqualTo(1);
    assertThat(no.out()).contains("Are you sure you want to demote demo cluster? [y/N]: ");
    assertThat(no.err()).isEqualTo("Error: Aborted cluster demotion\n");
    assertThat(admin.get(keys.config()).orElseThrow()).isEqualTo(afterPromotion);

    // Demote with --force: the section is written, the rest kept; done once the leader is a standby leader.
    CompletableFuture<CliRun> demote = CompletableFuture.supplyAsync(() -> CliRun.dcs(config, "demote-cluster",
        "demo", "--host", "10.9.0.7", "--port", "5433", "--primary-slot-name", "dr2", "--force"));
    Map<String, Object> demoted = new LinkedHashMap<>(promoted);
    demoted.put("standby_cluster", Map.of("host", "10.9.0.7", "port", 5433, "primary_slot_name", "dr2"));
    await("the config key gets standby_cluster").atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> doc(admin.get(keys.config()).orElseThrow().value()).containsKey("standby_cluster"));
    assertThat(doc(admin.get(keys.config()).orElseThrow().value())).isEqualTo(demoted);
    assertThat(demote).isNotDone();
    pg1.touchMember(member("10.0.0.1", "standby_leader", "running"), TTL);
    CliRun demoteRun = demote.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(demoteRun.err()).isEmpty();
    assertThat(demoteRun.status()).isZero();
    assertThat(demoteRun.out()).startsWith("Current cluster topology\n").doesNotContain("[y/N]")
        .contains(" cluster is successfully demoted\n");
  }
}
