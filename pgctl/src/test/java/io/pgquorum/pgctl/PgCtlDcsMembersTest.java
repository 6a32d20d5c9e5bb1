package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgquorum.coordinator.config.NodeConfig;
import io.pgquorum.dcs.ratis.DcsServer;
import io.pgquorum.dcs.ratis.PeerAddress;
import io.pgquorum.dcs.ratis.RatisDcsClient;
import io.pgquorum.dcs.testing.RatisTestCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code pgctl dcs members|add|remove} against a real three-member Raft group on loopback ports. */
class PgCtlDcsMembersTest {
  private static final Duration ELECTION = Duration.ofSeconds(30);
  private RatisTestCluster group;

  @AfterEach
  void stop() {
    if (group != null) {
      group.close();
    }
  }

  private NodeConfig startDemo() {
    group = RatisTestCluster.start("demo", 3);
    group.awaitLeader(ELECTION);
    List<String> addrs = List.of("m1", "m2", "m3").stream().map(n -> group.address(n).toString()).toList();
    return TestConfigs.node("demo", addrs.get(0), addrs.subList(1, 3));
  }

  private RatisDcsClient client() {
    return group.client("test", "m1", Duration.ofSeconds(10));
  }

  @Test
  void membersShowsEachMembersRoleRegistrationAndLastIndex() throws Exception {
    NodeConfig config = startDemo();
    // Founding members register once the group has a leader.
    await().atMost(ELECTION).until(() -> client().read("_pgquorum/dcs-members/").entries().size() == 3);

    CliRun pretty = CliRun.dcs(config, "dcs", "members");
    assertThat(pretty.err()).isEmpty();
    assertThat(pretty.status()).isZero();
    List<String> lines = pretty.out().lines().toList();
    assertThat(lines.get(0)).startsWith("+ DCS: demo -");
    assertThat(lines.get(1)).matches("\\| Member \\| Address +\\| Role +\\| Registered \\| Last index \\|");
    assertThat(lines).hasSize(7);
    for (String name : List.of("m1", "m2", "m3")) {
      assertThat(pretty.out()).containsPattern("\\| " + name + " +\\| " + group.address(name).address()
          + " +\\| (Leader|Follower) +\\| yes +\\| +\\d+ \\|");
    }
    assertThat(pretty.out().split("Leader", -1)).hasSize(2); // exactly one leader

    CliRun json = CliRun.dcs(config, "dcs", "members", "--format", "json");
    assertThat(json.status()).isZero();
    JsonNode members = JsonMapper.builder().build().readTree(json.out());
    assertThat(members).hasSize(3);
    assertThat(members.get(0).get("Member").asText()).isEqualTo("m1");
    assertThat(members.get(0).get("Registered").asBoolean()).isTrue();
    assertThat(members.get(0).get("Last index").asLong()).isPositive();

    // A stopped member is listed as such, from the configuration.
    group.stopMember("m3");
    CliRun down = CliRun.dcs(config, "dcs", "members", "-f", "tsv");
    assertThat(down.status()).isZero();
    assertThat(down.out()).contains("m3\t" + group.address("m3").address() + "\tunreachable\tyes\t\n");
  }

  @Test
  void removeAsksFirstAndRefusesWhatWouldLeaveNoMajority() {
    NodeConfig config = startDemo();
    // Declined (or no answer at all): nothing changes.
    CliRun declined = CliRun.dcsAnswering(config, "n\n", "dcs", "remove", "m3");
    assertThat(declined.status()).isEqualTo(1);
    assertThat(declined.out()).startsWith("Are you sure you want to remove DCS member m3 ("
        + group.address("m3").address() + ") from cluster demo? [y/N]: ");
    assertThat(declined.err()).isEqualTo("Error: Aborted!\n");
    CliRun noAnswer = CliRun.dcs(config, "dcs", "remove", "m3");
    assertThat(noAnswer.err()).isEqualTo("Error: Aborted!\n");
    assertThat(client().members()).extracting(PeerAddress::id).containsExactlyInAnyOrder("m1", "m2", "m3");

    // With m3 down, removing m1 would leave {m2, m3} with only m2 answering.
    group.stopMember("m3");
    CliRun critical = CliRun.dcs(config, "dcs", "remove", "m1", "--force");
    assertThat(critical.status()).isEqualTo(1);
    assertThat(critical.err()).startsWith("Error: removing 'm1' would leave 2 members of which only 1 answer")
        .contains("or remove m3 instead").doesNotContain("\tat ");
    assertThat(critical.err().lines()).hasSize(1);

    CliRun removed = CliRun.dcsAnswering(config, "y\n", "dcs", "remove", "m3");
    assertThat(removed.err()).isEmpty();
    assertThat(removed.status()).isZero();
    assertThat(removed.out()).contains("Removed DCS member m3 from cluster demo; voters now: ")
        .contains("--join");
    assertThat(client().members()).extracting(PeerAddress::id).containsExactlyInAnyOrder("m1", "m2");
    assertThat(client().get("_pgquorum/dcs-members/m3")).isEmpty();

    CliRun unknown = CliRun.dcs(config, "dcs", "remove", "m3", "--force");
    assertThat(unknown.status()).isEqualTo(1);
    assertThat(unknown.err()).isEqualTo("Error: 'm3' is not a member of the DCS of cluster demo (members: "
        + String.join(", ", client().members().stream().map(PeerAddress::id).toList()) + ")\n");

    // Down to one member, that one cannot be removed.
    assertThat(CliRun.dcs(config, "dcs", "remove", "m2", "--force").status()).isZero();
    CliRun last = CliRun.dcs(config, "dcs", "remove", "m1", "--force");
    assertThat(last.status()).isEqualTo(1);
    assertThat(last.err()).isEqualTo("Error: cannot remove 'm1', the last member of the group\n");
  }

  @Test
  void addBringsInAMemberThatWaitsToBeAdded() throws Exception {
    NodeConfig config = startDemo();
    RatisDcsClient client = client();
    long written = client.put("/k", "v").revision();
    // raft.join without partners: it runs its server without a division and waits for an operator.
    CompletableFuture<DcsServer> waiting = group.startJoiningMember("m4");
    String address = group.address("m4").address();
    CliRun[] add = new CliRun[1];
    // Until its server is up, it "does not answer".
    await().atMost(ELECTION).until(() -> {
      add[0] = CliRun.dcs(config, "dcs", "add", "m4", address);
      return add[0].status() == 0 || !add[0].err().contains("does not answer");
    });
    assertThat(add[0].err()).isEmpty();
    assertThat(add[0].out()).startsWith("Added DCS member m4 (" + address + ") to cluster demo; voters now: ");
    DcsServer m4 = waiting.get(30, TimeUnit.SECONDS);
    await().atMost(ELECTION).until(() -> m4.lastAppliedIndex() >= written);
    assertThat(client.members()).extracting(PeerAddress::id).containsExactlyInAnyOrder("m1", "m2", "m3", "m4");
    assertThat(client.get("_pgquorum/dcs-members/m4")).isPresent();

    CliRun again = CliRun.dcs(config, "dcs", "add", "m4", address);
    assertThat(again.status()).isEqualTo(1);
    assertThat(again.err()).startsWith("Error: member 'm4' is already in the group");

    CliRun notRunning = CliRun.dcs(config, "dcs", "add", "m5", "127.0.0.1:1");
    assertThat(notRunning.status()).isEqualTo(1);
    assertThat(notRunning.err()).startsWith("Error: member m5@127.0.0.1:1 does not answer at 127.0.0.1:1: start it "
        + "first");
    assertThat(client.members()).hasSize(4);
  }
}
