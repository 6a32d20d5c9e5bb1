package io.pgquorum.backrest.run;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgquorum.backrest.BackrestSection;
import io.pgquorum.backrest.BackrestSettings;
import io.pgquorum.backrest.BackupType;
import io.pgquorum.backrest.NodeLayout;
import io.pgquorum.backrest.PgBackRestConf;
import io.pgquorum.backrest.info.StanzaInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The runner against a stand-in pgbackrest (a shell script that records its arguments and answers with output
 * captured from the real 2.45), so timeouts, exit codes and argument lists are checked in milliseconds.
 * BackrestIT runs the real program.
 */
class BackrestRunnerTest {
  @TempDir
  Path dir;
  private Path argsFile;
  private BackrestRunner runner;

  @BeforeEach
  void fakePgbackrest() throws IOException {
    argsFile = dir.resolve("args");
    Path json = dir.resolve("info.json");
    Files.writeString(json, FailureKindTest.captured("info-full-incr-diff.json"));
    Path stanzaMissing = dir.resolve("nostanza");
    Files.writeString(stanzaMissing, FailureKindTest.captured("backup-nostanza.stderr"));
    Path script = dir.resolve("pgbackrest");
    Files.writeString(script, "#!/bin/sh\n"
        + "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + argsFile + "\n"
        + "case \"$*\" in\n"
        + "  *'--output=json info') cat " + json + "; exit 0;;\n"
        + "  *'--type=full backup') cat " + stanzaMissing + " >&2; exit 55;;\n"
        + "  *check) exec sleep 30;;\n"
        + "  *archive-get*0000000100000000000000FF*) exit 1;;\n"
        + "  *) exit 0;;\n"
        + "esac\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    BackrestSettings parsed = BackrestSection.parse(Map.of("stanza", "demo", "command", script.toString()), "x")
        .settings().orElseThrow();
    // Built directly: the configured minimum (10 s) would make the timeout test slow.
    BackrestSettings fast = new BackrestSettings(parsed.stanza(), parsed.command(), parsed.repo1(),
        parsed.processMax(), parsed.options(), parsed.schedules(), Duration.ofMillis(700), Duration.ofSeconds(5),
        Duration.ofSeconds(5));
    runner = new BackrestRunner(fast, new NodeLayout(dir.resolve("data"), 5432, dir, dir.resolve("node"), "postgres"));
  }

  private List<String> args() throws IOException {
    return Files.readAllLines(argsFile);
  }

  @Test
  void infoIsParsedFromStdout() throws IOException {
    Outcome<StanzaInfo> o = runner.info();
    assertThat(o.ok()).isTrue();
    assertThat(o.orThrow().backups()).hasSize(3);
    assertThat(args()).containsExactly("--config=" + dir.resolve("node/pgbackrest.conf"), "--stanza=demo",
        "--output=json", "info");
  }

  @Test
  void aFailedBackupIsATypedValueWithPgBackRestsOwnLine() {
    Outcome<CommandRun> o = runner.backup(BackupType.FULL);
    assertThat(o).isInstanceOf(Outcome.Failed.class);
    BackrestFailure f = ((Outcome.Failed<CommandRun>) o).failure();
    assertThat(f.kind()).isEqualTo(FailureKind.STANZA_MISSING);
    assertThat(f.exitCode()).isEqualTo(55);
    assertThat(f.errorCode()).contains(55);
    assertThat(f.describe()).startsWith("the stanza does not exist in the repository: run stanza-create on the "
        + "primary (" + dir.resolve("pgbackrest") + " --config=").contains("--type=full backup exited 55: "
        + "ERROR: [055]: unable to load info file").contains("HINT: has a stanza-create been performed?");
  }

  @Test
  void aHangingCommandIsStoppedAtItsTimeout() {
    long start = System.nanoTime();
    Outcome<CommandRun> o = runner.check();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(((Outcome.Failed<CommandRun>) o).failure().kind()).isEqualTo(FailureKind.TIMED_OUT);
    assertThat(took).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aMissingProgramCannotStart() {
    BackrestSettings s = BackrestSection.parse(Map.of("command", dir.resolve("nope").toString()), "x").settings()
        .orElseThrow();
    Outcome<CommandRun> o = new BackrestRunner(s, new NodeLayout(dir, 5432, dir, dir, "postgres")).stanzaCreate();
    BackrestFailure f = ((Outcome.Failed<CommandRun>) o).failure();
    assertThat(f.kind()).isEqualTo(FailureKind.CANNOT_START);
    assertThat(f.describe()).startsWith("the pgbackrest program could not be started");
  }

  @Test
  void aWalFileNotInTheArchiveIsAnAnswerNotAFailure() throws IOException {
    assertThat(runner.archiveGet("0000000100000000000000FF", dir.resolve("x")))
        .isInstanceOf(ArchiveGetResult.NotFound.class);
    assertThat(runner.archiveGet("000000010000000000000001", dir.resolve("y")))
        .isInstanceOf(ArchiveGetResult.Found.class);
    assertThat(args()).endsWith("archive-get", "000000010000000000000001", dir.resolve("y").toString());
  }

  @Test
  void aSecretOptionReachesTheFileButNoLogLineNorFailureText() throws IOException {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger logger = (Logger) LoggerFactory.getLogger(BackrestRunner.class);
    logger.addAppender(logs);
    try {
      BackrestSettings s = BackrestSection.parse(Map.of("command", dir.resolve("pgbackrest").toString(),
          "options", Map.of("repo1-cipher-pass", "Very-s3cret")), "demo").settings().orElseThrow();
      NodeLayout node = new NodeLayout(dir.resolve("data"), 5432, dir, dir.resolve("node"), "postgres");
      PgBackRestConf conf = PgBackRestConf.render(s, node);
      conf.write(node);
      assertThat(Files.readString(node.confFile())).contains("repo1-cipher-pass=Very-s3cret");
      BackrestRunner r = new BackrestRunner(s, node);
      assertThat(r.stanzaCreate().ok()).isTrue();
      Outcome<CommandRun> failed = r.backup(BackupType.FULL);
      assertThat(((Outcome.Failed<CommandRun>) failed).failure().describe()).doesNotContain("s3cret");
      assertThat(logs.list).hasSizeGreaterThanOrEqualTo(4);
      assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("s3cret"));
    } finally {
      logger.detachAppender(logs);
    }
  }

  @Test
  void restoreTargetsTravelAsOneArgumentEach() throws IOException {
    RestoreRequest r = RestoreRequest.toTarget(dir.resolve("copy dir"), RestoreType.TIME,
        "2026-12-03 18:26:10+00");
    assertThat(runner.restore(r).ok()).isTrue();
    assertThat(args()).endsWith("--pg1-path=" + dir.resolve("copy dir"), "--type=time",
        "--target=2026-12-03 18:26:10+00", "--target-action=promote", "restore");
  }
}
