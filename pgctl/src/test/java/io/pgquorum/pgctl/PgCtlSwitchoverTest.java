package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.config.Credentials;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code pgctl switchover} and {@code failover}: patronictl's prompts, checks, request and output lines, against a
 * canned cluster (pg1 leads, pg2 streams, pg3 is stopped) and a recorded REST API.
 */
class PgCtlSwitchoverTest {
  private final List<String> requests = new ArrayList<>();
  private SwitchoverCommand.Answer answer = new SwitchoverCommand.Answer(200, "Successfully switched over to \"pg2\"");
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  @AfterEach
  void terminalBack() {
    SwitchoverCommand.terminal = () -> System.console() != null;
  }

  private int run(String input, String command, String... args) {
    SwitchoverCommand.Api api = (url, body, auth) -> {
      requests.add(url + " " + body + " " + auth.map(Credentials::username).orElse("-"));
      return answer;
    };
    return SwitchoverCommand.run(command, SwitchoverCommand.parse(command, List.of(args)), CliRun.DEMO,
        config -> Snapshots.threeMembers(), api, new BufferedReader(new StringReader(input)),
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void interactiveSwitchoverAsksPatronictlsQuestionsInOrder() {
    SwitchoverCommand.terminal = () -> true;
    int status = run("\npg2\nnow\ny\n", "switchover");
    assertThat(status).isZero();
    String out = out();
    assertThat(out).startsWith("Current cluster topology\n+ Cluster: demo (" + Snapshots.SYSID + ")");
    assertThat(out).contains("Primary [pg1]: Candidate ['pg2', 'pg3'] []: When should the switchover take place "
        + "(e.g. ").contains(" )  [now]: Are you sure you want to switchover cluster demo, demoting current leader "
        + "pg1? [y/N]: ");
    // (the newline after each answer is the terminal's echo, absent here)
    assertThat(out).containsPattern("\\[y/N\\]: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{5} "
        + "Successfully switched over to \"pg2\"\n\\+ Cluster: demo");
    assertThat(requests).containsExactly(
        "http://127.0.0.1:8008/switchover {\"leader\":\"pg1\",\"candidate\":\"pg2\"} -");
  }

  @Test
  void forceAsksNothingAndSwitchesToAny() {
    int status = run("", "switchover", "--force");
    assertThat(status).isZero();
    assertThat(out()).doesNotContain("[y/N]").doesNotContain("Candidate [");
    assertThat(requests).containsExactly("http://127.0.0.1:8008/switchover {\"leader\":\"pg1\",\"candidate\":\"\"} -");
  }

  @Test
  void scheduledSwitchoverIsSentWithItsOffset() {
    SwitchoverCommand.terminal = () -> true;
    answer = new SwitchoverCommand.Answer(202, "Switchover scheduled");
    int status = run("y\n", "switchover", "demo", "--primary", "pg1", "--candidate=pg3", "--scheduled",
        "2030-01-02T03:04+02:00");
    assertThat(status).isZero();
    assertThat(out()).contains("Are you sure you want to schedule switchover of cluster demo at "
        + "2030-01-02T03:04+02:00, demoting current leader pg1? [y/N]: ").contains(" Switchover scheduled\n");
    assertThat(requests).containsExactly("http://127.0.0.1:8008/switchover "
        + "{\"leader\":\"pg1\",\"candidate\":\"pg3\",\"scheduled_at\":\"2030-01-02T03:04+02:00\"} -");
  }

  @Test
  void aRefusalIsPrintedAsPatronictlDoesAndExits1() {
    answer = new SwitchoverCommand.Answer(412, "switchover is not possible: no good candidates have been found");
    int status = run("", "switchover", "--candidate", "pg3", "--force");
    assertThat(status).isEqualTo(1);
    assertThat(out()).contains("\nSwitchover failed, details: 412, switchover is not possible: no good candidates "
        + "have been found\n+ Cluster: demo");
  }

  @Test
  void failoverNeedsACandidateAndSendsNoLeader() {
    assertThatThrownBy(() -> run("", "failover", "--force"))
        .hasMessage("Failover could be performed only to a specific candidate");
    answer = new SwitchoverCommand.Answer(200, "Successfully failed over to \"pg2\"");
    SwitchoverCommand.terminal = () -> true;
    assertThat(run("pg2\ny\n", "failover")).isZero();
    assertThat(out()).contains("Candidate ['pg2', 'pg3'] []: Are you sure you want to failover cluster demo, "
        + "demoting current leader pg1? [y/N]: ").contains(" Successfully failed over to \"pg2\"\n");
    assertThat(requests).containsExactly("http://127.0.0.1:8008/failover {\"candidate\":\"pg2\"} -");
  }

  @Test
  void patronictlsErrors() {
    assertThatThrownBy(() -> run("", "switchover", "--leader", "pg2", "--force"))
        .hasMessage("Member pg2 is not the leader of cluster demo");
    assertThatThrownBy(() -> run("", "switchover", "--candidate", "pg1", "--force"))
        .hasMessage("Member pg1 is already the leader of cluster demo");
    assertThatThrownBy(() -> run("", "switchover", "--candidate", "pg9", "--force"))
        .hasMessage("Member pg9 does not exist in cluster demo or is tagged as nofailover");
    SwitchoverCommand.terminal = () -> true;
    assertThatThrownBy(() -> run("\n\n\nn\n", "switchover")).hasMessage("Aborting switchover");
    assertThatThrownBy(() -> run("\n\n2030-01-02T03:04Z\nn\n", "switchover"))
        .hasMessage("Aborting scheduled switchover");
    assertThatThrownBy(() -> run("\n\nsoon\n", "switchover"))
        .hasMessage("Unable to parse scheduled timestamp (soon). It should be in an unambiguous format "
            + "(e.g. ISO 8601)");
    assertThat(requests).isEmpty();
  }

  @Test
  void noLeaderNoSwitchover() {
    ClusterSnapshot leaderless = Snapshots.cluster().initialized(Snapshots.SYSID)
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "running", 100L, 1, Map.of()).build();
    assertThatThrownBy(() -> SwitchoverCommand.run("switchover", SwitchoverCommand.parse("switchover",
        List.of("--force")), CliRun.DEMO, config -> leaderless, (u, b, a) -> {
          throw new IOException("not called");
        }, new BufferedReader(new StringReader("")), new PrintStream(bytes, true, StandardCharsets.UTF_8)))
        .hasMessage("This cluster has no leader");
  }

  @Test
  void aLocalTimeWithoutZoneGetsThisMachinesOffset() {
    assertThat(SwitchoverCommand.scheduledAt("now")).isEmpty();
    assertThat(SwitchoverCommand.scheduledAt("")).isEmpty();
    assertThat(SwitchoverCommand.scheduledAt("2030-01-02T03:04:05Z")).hasValue("2030-01-02T03:04:05Z");
    assertThat(SwitchoverCommand.scheduledAt("2030-01-02 03:04")).hasValueSatisfying(v ->
        assertThat(v).startsWith("2030-01-02T03:04").matches(".*(Z|[+-]\\d\\d:\\d\\d)$"));
    assertThat(SwitchoverCommand.endpoint("https://10.0.0.1:8008/patroni", "failover"))
        .isEqualTo("https://10.0.0.1:8008/failover");
  }

  @Test
  void withoutATerminalAndWithoutForceItSaysSoAndExits1() {
    CliRun r = CliRun.against(Snapshots.threeMembers(), "switchover", "--candidate", "pg2");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).startsWith("Error: switchover asks for confirmation, and there is no terminal to ask on");
    assertThat(r.out()).startsWith("Current cluster topology\n");
  }

  @Test
  void commandLineErrorsAndHelp() {
    CliRun bad = CliRun.against(Snapshots.threeMembers(), "failover", "--leader", "pg1");
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.err()).endsWith("Error: no such option for failover: --leader\n");
    CliRun other = CliRun.against(Snapshots.threeMembers(), "switchover", "prod", "--force");
    assertThat(other.status()).isEqualTo(2);
    assertThat(other.err()).contains("cluster 'prod' is not the cluster of this configuration");
    CliRun help = CliRun.against(Snapshots.threeMembers(), "switchover", "--help");
    assertThat(help.status()).isZero();
    assertThat(help.out()).startsWith("Usage: pgctl [-c FILE] switchover [CLUSTER_NAME] [OPTIONS]");
    assertThat(CliRun.against(Snapshots.threeMembers(), "--help").out()).contains("  switchover ")
        .contains("  failover ");
    assertThat(Optional.of(CliRun.against(Snapshots.threeMembers(), "failover", "-h").out()))
        .hasValueSatisfying(o -> assertThat(o).startsWith("Usage: pgctl [-c FILE] failover"));
  }
}
