package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.backrest.BackrestSettings;
import io.pgquorum.backrest.BackupSchedules;
import io.pgquorum.backrest.Schedule;
import io.pgquorum.backrest.info.InfoParser;
import io.pgquorum.backrest.info.StanzaInfo;
import io.pgquorum.backrest.restore.TargetKind;
import io.pgquorum.backrest.run.CommandRun;
import io.pgquorum.backrest.run.Outcome;
import io.pgquorum.coordinator.config.NodeConfig;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgctl restore}: command line, plan and prompts, on a scripted repository (RestoreTestIT: for real). */
class RestoreCommandTest {
  private static final NodeConfig PLAIN = TestConfigs.node("demo", "127.0.0.1:9000", List.of());
  private static final NodeConfig CONFIG = withBackrest(PLAIN);
  private static final String FULL = "20301201-120000F";
  private static final String INCR = "20301201-120000F_20301201-130000I";

  static NodeConfig withBackrest(NodeConfig b) {
    Schedule off = Schedule.parse("off");
    BackrestSettings s = new BackrestSettings("demo", "pgbackrest", new BackrestSettings.Repo(
        BackrestSettings.RepoType.POSIX, Path.of("/nonexistent/repo"), 2), 1, Map.of(),
        new BackupSchedules(off, off, off), Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(1));
    return new NodeConfig(b.scope(), b.namespace(), b.name(), b.restapi(), b.raft(), b.bootstrap(), b.postgresql(),
        b.tags(), b.log(), b.watchdog(), b.ctl(), b.warnings(), Optional.of(s));
  }

  private static RestoreCommand.Options parse(String... args) {
    return RestoreCommand.parse(List.of(args));
  }

  private static void usage(String message, String... args) {
    assertThatThrownBy(() -> parse(args)).isInstanceOfSatisfying(CtlException.class, e -> {
      assertThat(e.isUsage()).isTrue();
      assertThat(e.getMessage()).isEqualTo(message);
    });
  }

  @Test
  void optionsAreParsedAndTheTargetValidated() {
    RestoreCommand.Options o = parse("--target-lsn", "0/3a", "--exclusive", "--set=" + FULL, "--to", "/tmp/x",
        "--port", "5499", "--dry-run", "demo");
    assertThat(o.target().orElseThrow().kind()).isEqualTo(TargetKind.LSN);
    assertThat(o.target().orElseThrow().value()).contains("0/3A");
    assertThat(o.target().orElseThrow().exclusive()).isTrue();
    assertThat(o.set()).contains(FULL);
    assertThat(o.to()).contains(Path.of("/tmp/x"));
    assertThat(o.port()).contains(5499);
    assertThat(o.dryRun()).isTrue();
    assertThat(o.force()).isFalse();
    assertThat(o.cluster()).contains("demo");
    assertThat(parse("--target-immediate", "--force").target().orElseThrow().kind())
        .isEqualTo(TargetKind.IMMEDIATE);
    assertThat(parse("--help").help()).isTrue();
  }

  @Test
  void badCommandLinesAreRefusedNamingTheOption() {
    usage("restore needs a recovery target: one of --target-time, --target-lsn, --target-xid, --target-name or"
        + " --target-immediate", "--force");
    usage("--target-time and --target-lsn cannot be used together: a restore has one recovery target",
        "--target-time", "2026-12-04 10:15:00+00", "--target-lsn", "0/1");
    usage("--target-lsn must be an LSN written like 0/3000060, got \"12345\"", "--target-lsn", "12345");
    usage("--port needs --to: it is the port of the restored copy (the cluster keeps its own)",
        "--target-immediate", "--port", "5499");
    usage("invalid value for --port: 'x' (a TCP port, 1-65535)", "--target-immediate", "--to", "/t", "--port", "x");
    usage("option --target-name requires a value", "--target-name");
    usage("no such option for restore: --target", "--target", "x");
    usage("--exclusive applies only to --target-time, --target-lsn or --target-xid, not --target-immediate",
        "--target-immediate", "--exclusive");
    assertThatThrownBy(() -> parse("--target-time", "2026-12-04 10:15:00")).hasMessageStartingWith(
        "--target-time \"2026-12-04 10:15:00\" has no time zone");
  }

  private record Run(int status, String out) {}

  private static Run run(NodeConfig config, boolean terminal, String answers, String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    List<String> calls = new ArrayList<>();
    StanzaInfo stanza = InfoParser.parse(BackupCommandsTest.INFO).get(0);
    Prompts prompts = new Prompts(new BufferedReader(new StringReader(answers)), out, terminal);
    int status = RestoreCommand.run(parse(args), config,
        () -> new Outcome.Ok<>(stanza, new CommandRun(List.of("pgbackrest", "info"), 0, "", "", Duration.ZERO)),
        prompts, plan -> {
          calls.add("copy " + plan.backup().label());
          return 0;
        }, (plan, c, o) -> {
          calls.add("cluster " + plan.backup().label());
          return 0;
        }, out);
    return new Run(status, bytes.toString(StandardCharsets.UTF_8) + String.join("\n", calls));
  }

  @Test
  void theDryRunShowsThePlanAndDoesNothing() {
    Run r = run(CONFIG, false, "", "--target-lsn", "0/5000000", "--to", "/tmp/rt", "--port", "5499", "--dry-run");
    assertThat(r.status()).isZero();
    assertThat(r.out()).isEqualTo("""
        Restore plan (cluster demo, pgBackRest stanza demo):
          Backup:    20301201-120000F (full, the newest that ends before the target)
          Ends at:   2030-11-28 12:00:10+00, LSN 0/3000100
          Target:    lsn 0/5000000 (inclusive: stop just after it), then promote
          Where:     a separate copy in /tmp/rt on port 5499, archive_mode=off (the running cluster is not touched)
        """);
    Run cluster = run(CONFIG, false, "", "--target-immediate", "--dry-run");
    assertThat(cluster.out()).contains("Backup:    " + INCR + " (incr, the newest)")
        .contains("Where:     the cluster demo in place: every member's PostgreSQL stops");
  }

  @Test
  void withoutATerminalOrForceItRefusesBeforeReadingAnything() {
    assertThatThrownBy(() -> run(CONFIG, false, "", "--target-immediate", "--to", "/tmp/rt"))
        .hasMessage("restore asks for confirmation and standard input is not a terminal; pass --force to restore"
            + " without asking, or --dry-run to see the plan");
  }

  @Test
  void itAsksAndOnlyAYesRestores() {
    // A no aborts (exit 1) before the copy is called: the scripted copy would have answered 0.
    assertThatThrownBy(() -> run(CONFIG, true, "n\n", "--target-immediate", "--to", "/tmp/rt", "--port", "5499"))
        .isInstanceOfSatisfying(CtlException.class, e -> assertThat(e.exitCode()).isEqualTo(1))
        .hasMessage("Aborted!");
    Run yes = run(CONFIG, true, "y\n", "--target-immediate", "--to", "/tmp/rt", "--port", "5499");
    assertThat(yes.status()).isZero();
    assertThat(yes.out()).endsWith("Restore this copy into /tmp/rt? [y/N]: copy " + INCR);
    Run forced = run(CONFIG, false, "", "--target-xid", "42", "--set", FULL, "--force");
    assertThat(forced.out()).contains("(full, given with --set)").endsWith("cluster " + FULL);
  }

  @Test
  void aTargetNoBackupReachesIsAClearFailure() {
    assertThatThrownBy(() -> run(CONFIG, false, "", "--target-time", "2030-11-28 12:00:09+00", "--force"))
        .isInstanceOfSatisfying(CtlException.class, e -> assertThat(e.exitCode()).isEqualTo(1))
        .hasMessage("no backup ends before 2030-11-28 12:00:09+00; the oldest, 20301201-120000F, ends at"
            + " 2030-11-28 12:00:10+00 (LSN 0/3000100)");
    assertThatThrownBy(() -> run(PLAIN, false, "", "--target-immediate", "--force")).hasMessage(
        "this node's configuration has no backrest section: restore reads the cluster's pgBackRest repository"
            + " through it");
  }

  @Test
  void theClusterRestoreIsNotAvailableYet() {
    assertThatThrownBy(() -> ClusterRestore.NOT_AVAILABLE.restore(null, CONFIG, System.out))
        .isInstanceOfSatisfying(CtlException.class, e -> assertThat(e.exitCode()).isEqualTo(1))
        .hasMessage("restoring the cluster in place is not available yet");
  }

  @Test
  void theCopysDirectoryMustBeNewOrEmpty(@TempDir Path tmp) throws Exception {
    RestoreCommand.checkEmpty(tmp.resolve("new"));
    RestoreCommand.checkEmpty(tmp);
    Files.writeString(tmp.resolve("keep"), "x");
    assertThatThrownBy(() -> RestoreCommand.checkEmpty(tmp)).hasMessage("--to " + tmp + " is not empty: give a new"
        + " or empty directory (restore never deletes or overwrites anything)");
    assertThatThrownBy(() -> RestoreCommand.checkEmpty(tmp.resolve("keep"))).hasMessage("--to " + tmp.resolve("keep")
        + " exists and is not a directory: give a new or empty directory");
    assertThat(Files.readString(tmp.resolve("keep"))).isEqualTo("x");
  }
}
