package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.config.NodeConfig;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** pgctl restart, reload and reinit against a cluster read by hand and members' REST APIs that answer as told. */
class OperationsCommandsTest {
  private final NodeConfig config = TestConfigs.node("demo", "127.0.0.1:7001", List.of());
  private final List<String> calls = new ArrayList<>();
  /** The answers, per "member METHOD path", in order; the last one repeats. */
  private final Map<String, List<OperationsCommands.Rest.Reply>> answers = new LinkedHashMap<>();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private void answer(String key, int status, String body) {
    answers.computeIfAbsent(key, k -> new ArrayList<>()).add(new OperationsCommands.Rest.Reply(status, body));
  }

  private int run(String input, boolean terminal, String... args) {
    String command = args[0];
    OperationsCommands.Options o = OperationsCommands.parse(command, List.of(args).subList(1, args.length));
    return OperationsCommands.run(o, config, c -> Snapshots.threeMembers(),
        OperationsCommands.prompter(terminal, new BufferedReader(new StringReader(input)), out, command), out,
        m -> (method, path, body) -> {
          String key = m.name() + " " + method + " " + path;
          calls.add(key + (body == null || body.isEmpty() ? "" : " " + body));
          List<OperationsCommands.Rest.Reply> r = answers.getOrDefault(key,
              List.of(new OperationsCommands.Rest.Reply(200, "ok")));
          return r.size() > 1 ? r.remove(0) : r.get(0);
        });
  }

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aCommandThatWouldPromptRefusesWithoutATerminal() {
    assertThatThrownBy(() -> run("", false, "restart", "demo", "pg2"))
        .isInstanceOf(CtlException.class)
        .hasMessageContaining("standard input is not a terminal")
        .hasMessageContaining("--force");
    assertThat(calls).isEmpty();
    assertThat(output()).contains("+ Cluster: demo");
  }

  @Test
  void restartAsksPatronictlsQuestionsAndPrintsOneLinePerMember() {
    answer("pg3 POST /restart", 503, "restart conditions are not satisfied");
    assertThat(run("\n\ny\n", true, "restart", "demo", "pg2", "pg3")).isZero();
    assertThat(output())
        .contains("When should the restart take place (e.g. ")
        .contains("Restart if the PostgreSQL version is less than provided (e.g. 9.5.2)  []: ")
        .contains("Are you sure you want to restart members pg2, pg3? [y/N]: ")
        .contains("Success: restart on member pg2\n")
        .contains("Failed: restart for member pg3, status code=503, (restart conditions are not satisfied)\n");
    assertThat(calls).containsExactly("pg2 POST /restart {}", "pg3 POST /restart {}");
  }

  @Test
  void aScheduledForcedRestartDeletesAnEarlierOneFirst() {
    answer("pg1 POST /restart", 202, "Restart scheduled");
    assertThat(run("", false, "restart", "demo", "pg1", "--scheduled", "2030-01-02T03:04:05+00:00", "--pg-version",
        "15.9", "--timeout", "30s", "--force")).isZero();
    assertThat(calls).containsExactly("pg1 DELETE /restart",
        "pg1 POST /restart {\"schedule\":\"2030-01-02T03:04:05Z\",\"postgres_version\":\"15.9\",\"timeout\":\"30s\"}");
    assertThat(output()).contains("Success: restart scheduled on member pg1\n");
  }

  @Test
  void pendingOnlyRestartsTheMembersThatNeedIt() {
    assertThat(run("", false, "restart", "demo", "--pending", "--force")).isZero();
    assertThat(calls).as("no member of the snapshot has a pending restart").isEmpty();
  }

  @Test
  void roleFiltersMembersClientSide() {
    assertThat(run("", false, "restart", "demo", "-r", "replica", "--force")).isZero();
    assertThat(calls).containsExactly("pg2 POST /restart {}", "pg3 POST /restart {}");
  }

  @Test
  void reloadSaysWhenTheRequestWillBeProcessed() {
    answer("pg1 POST /reload", 202, "reload scheduled");
    answer("pg2 POST /reload", 202, "reload scheduled");
    answer("pg3 POST /reload", 503, "reload refused: postgresql.pg_ctl_timeout: not a number");
    assertThat(run("", false, "reload", "demo", "--force")).isZero();
    assertThat(output())
        .contains("Reload request received for member pg1 and will be processed within 10 seconds\n")
        .contains("Reload request received for member pg2 and will be processed within 10 seconds\n")
        .contains("Failed: reload for member pg3, status code=503, (reload refused: postgresql.pg_ctl_timeout: "
            + "not a number)\n");
  }

  @Test
  void reinitOnlyRebuildsReplicasAndResendsWithForceWhenBusy() {
    assertThatThrownBy(() -> run("", false, "reinit", "demo", "pg1", "--force"))
        .hasMessage("No replica among provided members");
    answer("pg2 POST /reinitialize", 503, "rejoin already in progress");
    answer("pg2 POST /reinitialize", 200, "reinitialize started");
    assertThat(run("y\ny\n", true, "reinit", "demo", "pg2", "--from-leader")).isZero();
    assertThat(output())
        .contains("Are you sure you want to reinitialize members pg2? [y/N]: ")
        .contains("Do you want to cancel it and reinitialize anyway? [y/N]: ")
        .contains("Success: reinitialize for member pg2\n");
    assertThat(calls).containsExactly(
        "pg2 POST /reinitialize {\"force\":false,\"from_leader\":true}",
        "pg2 POST /reinitialize {\"force\":true,\"from_leader\":true}");
  }

  @Test
  void reinitWithoutANameAsksWhichMember() {
    assertThat(run("pg3\ny\n", true, "reinit", "demo")).isZero();
    assertThat(output()).contains("Which member do you want to reinitialize [pg2, pg3]?: ");
    assertThat(calls).containsExactly("pg3 POST /reinitialize {\"force\":false}");
  }

  @Test
  void badOptionsAreUsageErrors() {
    assertThatThrownBy(() -> run("", false, "reinit", "demo", "--pending"))
        .hasMessage("no such option for reinit: --pending");
    assertThatThrownBy(() -> run("", false, "restart", "demo", "-r", "boss"))
        .hasMessageContaining("'boss' is not one of");
    assertThatThrownBy(() -> run("", false, "reload", "other", "--force"))
        .hasMessageContaining("cluster 'other' is not the cluster of this configuration");
  }
}
