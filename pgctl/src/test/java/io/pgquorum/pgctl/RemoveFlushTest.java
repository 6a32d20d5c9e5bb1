package io.pgquorum.pgctl;

import static io.pgquorum.pgctl.Snapshots.MIB;
import static io.pgquorum.pgctl.Snapshots.SYSID;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code remove} and {@code flush}: patronictl's prompts, refusals and messages, with a scripted outside world. */
class RemoveFlushTest {
  private static final String TABLE = """
      + Cluster: demo (7301234567890123456) ----+----+-----------+
      | Member | Host     | Role    | State     | TL | Lag in MB |
      +--------+----------+---------+-----------+----+-----------+
      | pg1    | 10.0.0.1 | Leader  | running   |  3 |           |
      | pg2    | 10.0.0.2 | Replica | streaming |  3 |         2 |
      | pg3    | 10.0.0.3 | Replica | stopped   |    |   unknown |
      +--------+----------+---------+-----------+----+-----------+
      """;
  private static final String NAME_PROMPT = "Please confirm the cluster name to remove: ";
  private static final String AWARE_PROMPT = "You are about to remove all information in DCS for demo, please type: "
      + "\"Yes I am aware\": ";
  private static final String LEADER_PROMPT = "This cluster currently is healthy. Please specify the leader name to "
      + "continue: ";

  @Test
  void removeAsksThreeTimesWhileALeaderRunsThenDeletesTheClustersPrefixOnly() {
    FakeOutside o = new FakeOutside();

    CliRun r = CliRun.with(Snapshots.threeMembers(), o.services(), "demo\nYes I am aware\npg1\n", "remove", "demo");

    assertThat(r.err()).isEmpty();
    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo(TABLE + NAME_PROMPT + AWARE_PROMPT + LEADER_PROMPT);
    assertThat(o.writes).containsExactly("deletePrefix /service/demo/");
  }

  @Test
  void removeWithoutALeaderAsksTwiceAndAnEmptyAnswerIsAskedAgain() {
    FakeOutside o = new FakeOutside();
    ClusterSnapshot s = Snapshots.cluster().initialized(SYSID)
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "replica", "stopped", null, null, Map.of()).build();

    CliRun r = CliRun.with(s, o.services(), "\ndemo\nYes I am aware\n", "remove", "demo", "-f", "tsv");

    assertThat(r.status()).isZero();
    assertThat(r.out()).endsWith("demo\tpg1\t10.0.0.1\tReplica\tstopped\t\tunknown\n" + NAME_PROMPT + NAME_PROMPT
        + AWARE_PROMPT);
    assertThat(o.writes).containsExactly("deletePrefix /service/demo/");
  }

  @Test
  void removeRefusesWrongAnswersWithPatronictlsErrorsAndDeletesNothing() {
    FakeOutside o = new FakeOutside();
    assertRefused(o, "demo2\n", "Error: Cluster names specified do not match\n");
    assertRefused(o, "demo\nyes\n", "Error: You did not exactly type \"Yes I am aware\"\n");
    assertRefused(o, "demo\nYes I am aware\npg2\n", "Error: You did not specify the current leader of the cluster\n");
    assertRefused(o, "demo\n", "Error: Aborted!\n"); // end of input
    assertThat(o.writes).isEmpty();
  }

  private static void assertRefused(FakeOutside o, String input, String error) {
    CliRun r = CliRun.with(Snapshots.threeMembers(), o.services(), input, "remove", "demo");
    assertThat(r.status()).as(input).isEqualTo(1);
    assertThat(r.err()).as(input).isEqualTo(error);
  }

  @Test
  void removeWithoutATerminalRefusesBeforeReadingAnything() {
    FakeOutside o = new FakeOutside();
    o.terminal = false;

    CliRun r = CliRun.with(Snapshots.threeMembers(), o.services(), "demo\nYes I am aware\npg1\n", "remove", "demo");

    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("Error: remove asks for confirmation and standard input is not a terminal; run it "
        + "from a terminal (it has no --force)\n");
    assertThat(o.writes).isEmpty();
  }

  private static ClusterSnapshot scheduled() {
    return Snapshots.cluster().initialized(SYSID).leader("pg1")
        .failover("pg1", "pg2", "2030-01-02T03:04:05+00:00")
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "primary", "running", 10 * MIB, 3,
            Map.of("api_url", "http://10.0.0.1:8008/patroni",
                "scheduled_restart", Map.of("schedule", "2030-01-01T00:00:00+00:00")))
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "running", 10 * MIB, 3,
            Map.of("api_url", "http://10.0.0.2:8008/patroni", "replication_state", "streaming"))
        .member("pg3", "postgres://10.0.0.3:5432/postgres", "replica", "running", 10 * MIB, 3,
            Map.of("api_url", "http://10.0.0.3:8008/patroni", "replication_state", "streaming",
                "scheduled_restart", Map.of("schedule", "2030-01-01T00:00:00+00:00", "postgres_version", "15.9")))
        .build();
  }

  @Test
  void flushRestartAsksThenDeletesEachScheduledRestartAndPrintsTheAnswers() {
    FakeOutside o = new FakeOutside();
    o.answers.put("DELETE http://10.0.0.1:8008/restart", new MemberApi.Response(200, "scheduled restart deleted"));
    o.answers.put("DELETE http://10.0.0.3:8008/restart", new MemberApi.Response(503, "not implemented yet"));

    CliRun r = CliRun.with(scheduled(), o.services(), "y\n", "flush", "demo", "restart");

    assertThat(r.status()).isZero();
    assertThat(r.out()).endsWith("""
         Switchover scheduled at: 2030-01-02T03:04:05+00:00
                            from: pg1
                              to: pg2
        Are you sure you want to flush members pg1, pg2, pg3? [y/N]: Success: flush scheduled restart for member pg1
        No scheduled restart for member pg2
        Failed: flush scheduled restart for member pg3, status code=503, (not implemented yet)
        """);
    assertThat(r.out()).contains("| Scheduled restart", "2030-01-01T00:00:00+00:00 if version < 15.9");
    assertThat(o.requests).containsExactly("DELETE http://10.0.0.1:8008/restart",
        "DELETE http://10.0.0.3:8008/restart");
  }

  @Test
  void flushRestartOfNamedMembersOrARoleWithForceAsksNothing() {
    FakeOutside o = new FakeOutside();
    o.terminal = false;
    o.answers.put("DELETE http://10.0.0.3:8008/restart", new MemberApi.Response(200, "scheduled restart deleted"));

    CliRun named = CliRun.with(scheduled(), o.services(), "", "flush", "demo", "pg3", "pg9", "restart", "--force");
    assertThat(named.status()).isZero();
    assertThat(named.out()).doesNotContain("Are you sure")
        .endsWith("Success: flush scheduled restart for member pg3\n");

    CliRun role = CliRun.with(scheduled(), o.services(), "", "flush", "demo", "restart", "-r", "replica", "--force");
    assertThat(role.out()).endsWith("No scheduled restart for member pg2\n"
        + "Success: flush scheduled restart for member pg3\n");

    CliRun unreachable = CliRun.with(scheduled(), o.services(), "", "flush", "demo", "pg1", "restart", "--force");
    assertThat(unreachable.status()).isEqualTo(1);
    assertThat(unreachable.out()).endsWith("Failed: flush scheduled restart for member pg1, (ConnectException "
        + "(http://10.0.0.1:8008/restart))\n");
  }

  @Test
  void flushRestartRefusals() {
    FakeOutside o = new FakeOutside();
    CliRun aborted = CliRun.with(scheduled(), o.services(), "n\n", "flush", "demo", "restart");
    assertThat(aborted.status()).isEqualTo(1);
    assertThat(aborted.err()).isEqualTo("Error: Aborted flush\n");
    CliRun noneOfThem = CliRun.with(scheduled(), o.services(), "", "flush", "demo", "pg1", "restart", "-r", "replica");
    assertThat(noneOfThem.err()).isEqualTo("Error: No replica among provided members\n");
    o.terminal = false;
    CliRun noTerminal = CliRun.with(scheduled(), o.services(), "y\n", "flush", "demo", "restart");
    assertThat(noTerminal.status()).isEqualTo(1);
    assertThat(noTerminal.out()).isEmpty();
    assertThat(noTerminal.err()).isEqualTo("Error: flush asks for confirmation and standard input is not a terminal; "
        + "pass --force to flush without asking\n");
    assertThat(o.requests).isEmpty();
  }

  @Test
  void flushSwitchoverAsksTheLeaderFirstAndPrintsItsAnswer() {
    FakeOutside o = new FakeOutside();
    o.answers.put("DELETE http://10.0.0.1:8008/switchover",
        new MemberApi.Response(200, "scheduled switchover deleted"));

    CliRun r = CliRun.with(scheduled(), o.services(), "", "flush", "demo", "switchover");

    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo("Success: scheduled switchover deleted\n");
    assertThat(o.writes).isEmpty();

    o.answers.put("DELETE http://10.0.0.1:8008/switchover", new MemberApi.Response(404, "no switchover is scheduled"));
    assertThat(CliRun.with(scheduled(), o.services(), "", "flush", "demo", "switchover").out())
        .isEqualTo("Failed: no switchover is scheduled\n");
  }

  @Test
  void flushSwitchoverFallsBackToTheDcsWhenNoMemberCanDoIt() {
    FakeOutside o = new FakeOutside();
    o.answers.put("DELETE http://10.0.0.1:8008/switchover", new MemberApi.Response(503, "not implemented yet"));
    o.answers.put("DELETE http://10.0.0.3:8008/switchover", new MemberApi.Response(503, "not implemented yet"));

    CliRun r = CliRun.with(scheduled(), o.services(), "", "flush", "demo", "switchover");

    assertThat(r.status()).isZero();
    assertThat(r.out()).matches("Failed: member=pg1, status_code=503, \\(not implemented yet\\)\n"
        + "Member pg2 is not accessible: ConnectException \\(http://10\\.0\\.0\\.2:8008/switchover\\)\n"
        + "Failed: member=pg3, status_code=503, \\(not implemented yet\\)\n"
        + "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} Could not find any accessible member of cluster demo\n");
    assertThat(o.writes).containsExactly("clearFailover at 8");

    o.clearSucceeds = false;
    CliRun raced = CliRun.with(scheduled(), o.services(), "", "flush", "demo", "switchover");
    assertThat(raced.status()).isEqualTo(1);
    assertThat(raced.err()).startsWith("Error: the failover key changed meanwhile");
  }

  @Test
  void flushSwitchoverWithoutAScheduledOne() {
    FakeOutside o = new FakeOutside();
    CliRun r = CliRun.with(Snapshots.threeMembers(), o.services(), "", "flush", "demo", "switchover");
    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo("No pending scheduled switchover\n");
    assertThat(o.requests).isEmpty();
  }
}
