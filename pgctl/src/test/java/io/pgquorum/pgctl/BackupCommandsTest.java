package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.cluster.ClusterSnapshot;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code pgctl backup} and {@code pgctl backups} against a scripted REST API (the IT runs them for real). */
class BackupCommandsTest {
  private static final NodeConfig CONFIG = TestConfigs.node("demo", "127.0.0.1:9000", List.of());
  /** pgbackrest info --output=json of 2.45, trimmed to what the parser reads, with one full and one incr. */
  static final String INFO = """
      [{"name":"demo","cipher":"none","status":{"code":0,"message":"ok","lock":{"backup":{"held":false}}},
        "repo":[{"key":1,"cipher":"none","status":{"code":0,"message":"ok"}}],
        "db":[{"id":1,"repo-key":1,"system-id":7300000000000000001,"version":"15"}],
        "archive":[{"id":"15-1","database":{"id":1,"repo-key":1},"min":"000000010000000000000003",
          "max":"000000010000000000000009"}],
        "backup":[
          {"label":"20301201-120000F","type":"full","prior":null,"reference":null,
           "timestamp":{"start":1922097600,"stop":1922097610},
           "archive":{"start":"000000010000000000000003","stop":"000000010000000000000003"},
           "lsn":{"start":"0/3000028","stop":"0/3000100"},
           "info":{"size":23456789,"delta":23456789,"repository":{"size":3456789,"delta":3456789}},
           "error":false,"database":{"id":1,"repo-key":1},"backrest":{"format":5,"version":"2.45"}},
          {"label":"20301201-120000F_20301201-130000I","type":"incr","prior":"20301201-120000F",
           "reference":["20301201-120000F"],"timestamp":{"start":1922101200,"stop":1922101203},
           "archive":{"start":"000000010000000000000009","stop":"000000010000000000000009"},
           "lsn":{"start":"0/9000028","stop":"0/9000100"},
           "info":{"size":23456789,"delta":8192,"repository":{"size":3456789,"delta":900}},
           "error":false,"database":{"id":1,"repo-key":1},"backrest":{"format":5,"version":"2.45"}}]}]
      """;

  /** Answers in order; records each request as "METHOD endpoint body". */
  static final class Scripted implements MemberApi {
    final Deque<Response> answers = new ArrayDeque<>();
    final List<String> requests = new ArrayList<>();

    Scripted answer(int status, String body) {
      answers.add(new Response(status, body));
      return this;
    }

    @Override
    public Response send(NodeConfig config, String apiUrl, String method, String endpoint) {
      return send(config, apiUrl, method, endpoint, null);
    }

    @Override
    public Response send(NodeConfig config, String apiUrl, String method, String endpoint, String body) {
      requests.add(method + " " + endpoint + (body == null ? "" : " " + body));
      return answers.remove();
    }
  }

  private static ClusterSnapshot withLeader() {
    return Snapshots.cluster().initialized(Snapshots.SYSID).leader("pg1")
        .member("pg1", "postgres://10.0.0.1:5432/postgres", "primary", "running", 1L, 1, Map.of())
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "running", 1L, 1, Map.of()).build();
  }

  private record Run(int status, String out) {}

  private static Run run(ClusterSnapshot cluster, MemberApi api, String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    List<String> a = List.of(args);
    int status = BackupCommands.run(BackupCommands.parse(a.get(0), a.subList(1, a.size())), CONFIG, cluster, api,
        out, () -> { });
    return new Run(status, bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void backupPostsTheTypeToTheLeaderAndWaitsUntilTheJobIsDone() {
    Scripted api = new Scripted().answer(202, "full backup started on pg1")
        .answer(200, "{\"member\":\"pg1\",\"state\":\"running\"}")
        .answer(200, "{\"member\":\"pg1\",\"state\":\"done\",\"finished_at\":\"2030-01-01T12:00:09Z\"}");
    Run r = run(withLeader(), api, "backup", "--type", "full", "--wait");
    assertThat(api.requests).containsExactly("POST backup {\"type\":\"full\"}", "GET backup", "GET backup");
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("Success: full backup started on pg1")
        .contains("Backup finished on pg1 at 2030-01-01T12:00:09Z");
  }

  @Test
  void aFailedBackupExitsOneWithTheLeadersError() {
    Scripted api = new Scripted().answer(202, "incr backup started on pg1")
        .answer(200, "{\"state\":\"failed\",\"error\":\"backup: [056] unable to find primary cluster\"}");
    Run r = run(withLeader(), api, "backup", "--wait");
    assertThat(api.requests.get(0)).isEqualTo("POST backup {}");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).contains("Backup failed on pg1: backup: [056] unable to find primary cluster");
  }

  @Test
  void aRefusalIsPrintedAsPatronictlPrintsOne() {
    Scripted api = new Scripted().answer(409, "a backup is already running on pg1");
    Run r = run(withLeader(), api, "backup");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).isEqualTo("Failed: backup on pg1, status code=409, (a backup is already running on pg1)\n");
  }

  @Test
  void withoutALeaderNothingIsSent() {
    Scripted api = new Scripted();
    ClusterSnapshot noLeader = Snapshots.cluster().initialized(Snapshots.SYSID)
        .member("pg2", "postgres://10.0.0.2:5432/postgres", "replica", "running", 1L, 1, Map.of()).build();
    assertThatThrownBy(() -> run(noLeader, api, "backup")).isInstanceOf(CtlException.class)
        .hasMessage("This cluster has no leader: a backup runs on the leader");
    assertThat(api.requests).isEmpty();
  }

  @Test
  void badOptionsAreUsageErrorsNamingTheOption() {
    assertThatThrownBy(() -> BackupCommands.parse("backup", List.of("--type", "snapshot")))
        .hasMessage("invalid value for --type: 'snapshot' (choose from full, diff, incr)");
    assertThatThrownBy(() -> BackupCommands.parse("backups", List.of("--wait")))
        .hasMessage("no such option for backups: --wait");
    assertThatThrownBy(() -> BackupCommands.parse("backups", List.of("--format", "xml")))
        .hasMessageStartingWith("invalid value for --format: 'xml'");
  }

  @Test
  void backupsIsATableOfTheRepositorysBackups() {
    Scripted api = new Scripted().answer(200, INFO);
    Run r = run(withLeader(), api, "backups");
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("Stanza: demo (ok)")
        .contains("| Label").contains("| Type").contains("| 20301201-120000F ")
        .contains("| 20301201-120000F_20301201-130000I | incr | 20301201-120000F")
        .contains("22.4MB").contains("3.3MB").contains("0/9000028");
  }

  @Test
  void backupsAsJsonHasOneObjectPerBackup() throws Exception {
    Scripted api = new Scripted().answer(200, INFO);
    Run r = run(withLeader(), api, "backups", "--format", "json");
    var rows = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    assertThat(rows.size()).isEqualTo(2);
    assertThat(rows.get(1).get("Label").asText()).isEqualTo("20301201-120000F_20301201-130000I");
    assertThat(rows.get(1).get("Type").asText()).isEqualTo("incr");
    assertThat(rows.get(0).get("Size").asLong()).isEqualTo(23456789L);
  }

  @Test
  void backupsAsksTheNextMemberWhenTheLeaderCannotAnswer() {
    Scripted api = new Scripted().answer(503, "pgbackrest info failed: timed out").answer(200, INFO);
    Run r = run(withLeader(), api, "backups", "-f", "tsv");
    assertThat(api.requests).containsExactly("GET backups", "GET backups");
    assertThat(r.out()).startsWith("Label\tType\tPrior\t");
  }
}
