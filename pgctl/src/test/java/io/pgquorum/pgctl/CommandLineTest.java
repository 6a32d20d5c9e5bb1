package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: bad arguments exit 2 naming the argument, configuration problems exit 1, never a trace. */
class CommandLineTest {
  private static final Map<String, String> NO_ENV = Map.of();

  private static CliRun run(String... args) {
    return CliRun.against(Snapshots.threeMembers(), args);
  }

  private static void assertUsageError(CliRun r, String... named) {
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("Usage: pgctl [OPTIONS] COMMAND [ARGS]...\nTry 'pgctl --help' for help.\n\n");
    assertThat(r.err().lines().reduce((a, b) -> b).orElseThrow()).startsWith("Error: ").contains(named);
    assertThat(r.err()).doesNotContain("\tat ", "Exception");
  }

  @Test
  void unknownGlobalOptionIsNamed() {
    assertUsageError(run("--frobnicate", "list"), "--frobnicate");
  }

  @Test
  void insecureReachesEveryCommandThatCallsRest() {
    // -k was dropped for the commands whose options are parsed elsewhere (pause/resume/..., switchover/failover).
    for (String command : List.of("list", "version", "pause", "resume", "edit-config", "switchover", "failover")) {
      assertThat(CommandLine.parse(new String[] {"-c", "f.yml", "-k", command}).insecure()).as(command).isTrue();
      assertThat(CommandLine.parse(new String[] {"--insecure", command}).insecure()).as(command).isTrue();
      assertThat(CommandLine.parse(new String[] {command}).insecure()).as(command).isFalse();
    }
  }

  @Test
  void unknownCommandIsNamed() {
    assertUsageError(run("lsit"), "'lsit'");
  }

  @Test
  void unknownListOptionIsNamedWithoutItsValue() {
    CliRun r = run("list", "--colour=always");
    assertUsageError(r, "--colour");
    assertThat(r.err()).doesNotContain("always");
  }

  @Test
  void invalidFormatNamesTheValueAndTheChoices() {
    assertUsageError(run("list", "--format", "xml"), "--format", "'xml'", "pretty, tsv, json, yaml");
  }

  @Test
  void formatWithoutValueIsNamed() {
    assertUsageError(run("list", "--format"), "--format requires a value");
  }

  @Test
  void formatIsAnOptionOfListOnly() {
    assertUsageError(run("topology", "-f", "json"), "topology", "-f");
  }

  @Test
  void watchIntervalMustBeAPositiveNumberOfSeconds() {
    assertUsageError(run("list", "-w", "soon"), "--watch", "'soon'", "not a valid float");
    assertUsageError(run("topology", "--watch=0"), "--watch", "'0'", "above 0");
    assertUsageError(run("list", "-w"), "-w requires a value");
  }

  @Test
  void configFileAfterTheCommandIsExplained() {
    assertUsageError(run("list", "-c", "x.yml"), "-c", "before the command");
  }

  @Test
  void missingCommand() {
    assertUsageError(run(), "missing command");
  }

  @Test
  void versionTakesOnlyThisConfigurationsCluster() {
    assertUsageError(run("version", "other"), "'other'", "'demo'");
    assertUsageError(run("version", "-t"), "no such option for version: -t");
  }

  @Test
  void theNewCommandsNameTheirBadArguments() {
    assertUsageError(run("remove"), "missing argument CLUSTER_NAME for remove");
    assertUsageError(run("remove", "demo", "extra"), "'extra'");
    assertUsageError(run("flush", "demo"), "missing argument for flush: restart or switchover");
    assertUsageError(run("flush", "demo", "pg1", "reload"), "'reload'", "restart, switchover");
    assertUsageError(run("flush"), "missing argument CLUSTER_NAME for flush");
    assertUsageError(run("dsn", "-r", "master"), "--role", "'master'", "leader, primary, standby-leader");
    assertUsageError(run("query", "-w", "x", "-c", "select 1"), "--watch", "'x'");
    assertUsageError(run("query", "--format", "xml", "-c", "select 1"), "--format", "'xml'");
    assertUsageError(run("history", "--watch", "2"), "no such option for history: --watch");
    assertUsageError(run("history", "-c", "x.yml"), "-c", "before the command");
    assertUsageError(run("query", "--config-file=x.yml"), "--config-file", "before the command");
    assertUsageError(run("dsn", "--force"), "no such option for dsn: --force");
    assertUsageError(run("remove", "other"), "'other'", "'demo'");
  }

  @Test
  void everyNewCommandHasHelp() {
    for (String command : new String[] {"history", "dsn", "query", "flush", "remove", "version"}) {
      CliRun r = run(command, "--help");
      assertThat(r.status()).as(command).isZero();
      assertThat(r.out()).as(command).startsWith("Usage: pgctl [-c FILE] " + command);
    }
    assertThat(run("query", "--help").out()).contains("-c, --command TEXT", "-f, --file FILE", "-U, --username",
        "--password", "-d, --dbname", "--format", "--delimiter", "-W", "-w, --watch", "-r, --role", "-m, --member");
    assertThat(run("list", "--help").out()).contains("-W", "-w, --watch SECONDS", "Maintenance mode: on");
    assertThat(run("--help").out()).contains("history", "dsn", "query", "flush", "remove");
  }

  @Test
  void dcsOptionIsRefusedWithTheReason() {
    assertUsageError(run("--dcs", "etcd://x:2379", "list"), "--dcs", "raft section");
  }

  @Test
  void clusterNameOtherThanTheScopeIsRefused() {
    assertUsageError(run("list", "other"), "'other'", "'demo'");
  }

  @Test
  void dcsCommandsNameTheirBadArguments() {
    assertUsageError(run("dcs"), "missing dcs command", "members, add, remove");
    assertUsageError(run("dcs", "list"), "no such dcs command: 'list'");
    assertUsageError(run("dcs", "add", "m4"), "dcs add takes ID and HOST:PORT", "got 1");
    assertUsageError(run("dcs", "add", "m4", "10.0.0.4"), "HOST:PORT", "'10.0.0.4'");
    assertUsageError(run("dcs", "add", "m 4", "10.0.0.4:5010"), "invalid value for ID: 'm 4'");
    assertUsageError(run("dcs", "add", "m4", "m5@10.0.0.4:5010"), "names member 'm5', not ID 'm4'");
    assertUsageError(run("dcs", "remove"), "dcs remove takes ID", "got 0");
    assertUsageError(run("dcs", "remove", "m3", "m4"), "got 2");
    assertUsageError(run("dcs", "members", "m1"), "unexpected argument for dcs members: 'm1'");
    assertUsageError(run("dcs", "members", "--force"), "no such option for dcs members: --force");
    assertUsageError(run("dcs", "remove", "m3", "--format=json"), "no such option for dcs remove: --format");
    assertUsageError(run("dcs", "members", "-f", "xml"), "--format", "'xml'");
  }

  @Test
  void dcsHelp() {
    CliRun r = run("dcs", "--help");
    assertThat(r.status()).isZero();
    assertThat(r.out()).startsWith("Usage: pgctl [-c FILE] dcs members").contains("dcs add ID HOST:PORT",
        "dcs remove ID [--force]", "--join");
    assertThat(run("--help").out()).contains("dcs              list, add and remove the members of the embedded DCS");
  }

  @Test
  void promoteAndDemoteClusterParsePatronictlsOptions() {
    CommandLine promote = CommandLine.parse(new String[] {"promote-cluster", "demo", "--force"});
    assertThat(promote.command()).contains("promote-cluster");
    assertThat(promote.clusterNames()).containsExactly("demo");
    assertThat(promote.force()).isTrue();
    assertThat(CommandLine.parse(new String[] {"promote-cluster"}).force()).isFalse();

    CommandLine demote = CommandLine.parse(new String[] {"demote-cluster", "--primary-slot-name", "dr",
        "--port=5433", "--host", "10.0.0.9", "--restore-command", "pgbackrest --stanza=main archive-get %f \"%p\"",
        "demo"});
    assertThat(demote.command()).contains("demote-cluster");
    assertThat(demote.clusterNames()).containsExactly("demo");
    assertThat(demote.force()).isFalse();
    assertThat(demote.standby()).containsExactly(java.util.Map.entry("primary_slot_name", "dr"),
        java.util.Map.entry("port", "5433"), java.util.Map.entry("host", "10.0.0.9"),
        java.util.Map.entry("restore_command", "pgbackrest --stanza=main archive-get %f \"%p\""));
  }

  @Test
  void promoteAndDemoteClusterUsageErrorsNameTheArgument() {
    assertUsageError(run("promote-cluster", "--host", "h"), "no such option for promote-cluster: --host");
    assertUsageError(run("promote-cluster", "demo", "other"), "unexpected extra argument", "'other'");
    assertUsageError(run("demote-cluster", "--port", "54x2"), "invalid value for --port: '54x2' is not a valid "
        + "integer");
    assertUsageError(run("demote-cluster", "--host"), "option --host requires a value");
    assertUsageError(run("demote-cluster", "--hostname=h"), "no such option for demote-cluster: --hostname");
    assertUsageError(run("demote-cluster", "--host", "h", "-c", "f.yml"), "-c must come before the command");
  }

  @Test
  void demoteClusterChecksItsOptionsBeforeReachingTheDcs() {
    // CliRun.DEMO names DCS members nobody listens on: these fail before any connection is tried.
    CliRun none = CliRun.dcs(CliRun.DEMO, "demote-cluster", "--primary-slot-name", "dr", "--force");
    assertThat(none.status()).isEqualTo(1);
    assertThat(none.err()).isEqualTo("Error: At least --host, --port or --restore-command should be specified\n");

    CliRun port = CliRun.dcs(CliRun.DEMO, "demote-cluster", "--host", "10.0.0.9", "--port", "70000");
    assertThat(port.status()).isEqualTo(1);
    assertThat(port.err()).startsWith("Error: --port: ").contains("70000").doesNotContain("config.", "\tat ");

    CliRun portAlone = CliRun.dcs(CliRun.DEMO, "demote-cluster", "--port", "5432");
    assertThat(portAlone.status()).isEqualTo(1);
    assertThat(portAlone.err()).startsWith("Error: --host: is required with --port");

    CliRun slot = CliRun.dcs(CliRun.DEMO, "demote-cluster", "--host", "h", "--primary-slot-name", "Bad-Slot");
    assertThat(slot.status()).isEqualTo(1);
    assertThat(slot.err()).startsWith("Error: --primary-slot-name: must be a replication slot name");

    CliRun multiLine = CliRun.dcs(CliRun.DEMO, "demote-cluster", "--restore-command", "a\nb");
    assertThat(multiLine.status()).isEqualTo(1);
    assertThat(multiLine.err()).startsWith("Error: --restore-command: must be a single line");
  }

  @Test
  void promoteAndDemoteClusterHaveHelp() {
    assertThat(run("promote-cluster", "--help").out()).startsWith(
        "Usage: pgctl [-c FILE] promote-cluster [CLUSTER_NAME] [--force]").contains("--force");
    assertThat(run("demote-cluster", "--help").out()).startsWith("Usage: pgctl [-c FILE] demote-cluster")
        .contains("--host TEXT", "--port INTEGER", "--restore-command TEXT", "--primary-slot-name TEXT", "--force");
    assertThat(run("--help").out()).contains("promote-cluster  promote a standby cluster",
        "demote-cluster   demote the cluster to a standby cluster");
  }

  @Test
  void helpGoesToStandardOutputAndExitsZero() {
    CliRun r = run("--help");
    assertThat(r.status()).isZero();
    assertThat(r.out()).startsWith("Usage: pgctl [OPTIONS] COMMAND [ARGS]...").contains("list", "topology",
        "version", "--config-file", "PATRONICTL_CONFIG_FILE");
    assertThat(r.err()).isEmpty();

    CliRun list = run("list", "--help");
    assertThat(list.status()).isZero();
    assertThat(list.out()).startsWith("Usage: pgctl [-c FILE] list").contains("--format [pretty|tsv|json|yaml]");
  }

  @Test
  void versionPrintsTheBuildVersion() {
    CliRun r = CliRun.withEnv(NO_ENV, "version");
    assertThat(r.status()).isZero();
    assertThat(r.out()).matches("pgctl version \\d+\\.\\d+\\.\\d+\\S*\n");
  }

  @Test
  void noConfigurationFileAnywhereIsAUsageError() {
    assertUsageError(CliRun.withEnv(NO_ENV, "list"), "-c/--config-file", "PATRONICTL_CONFIG_FILE");
  }

  @Test
  void missingConfigurationFileIsNamed(@TempDir Path dir) {
    Path missing = dir.resolve("missing.yml");
    CliRun r = CliRun.withEnv(NO_ENV, "-c", missing.toString(), "list");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("Error: configuration file " + missing
        + " does not exist or is not readable (check -c/--config-file or PATRONICTL_CONFIG_FILE)\n");
  }

  @Test
  void configurationFileFromTheEnvironment(@TempDir Path dir) {
    Path missing = dir.resolve("from-env.yml");
    CliRun r = CliRun.withEnv(Map.of("PATRONICTL_CONFIG_FILE", missing.toString()), "list");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.err()).contains("configuration file " + missing + " does not exist");
  }

  @Test
  void optionBeatsTheEnvironment(@TempDir Path dir) {
    Path option = dir.resolve("option.yml");
    CliRun r = CliRun.withEnv(Map.of("PATRONICTL_CONFIG_FILE", dir.resolve("env.yml").toString()),
        "--config-file=" + option, "list");
    assertThat(r.err()).contains(option.toString()).doesNotContain("env.yml");
  }

  @Test
  void unusableConfigurationFileIsOneErrorLineNamingTheFile(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("broken.yml"), "scope: [unclosed\n");
    CliRun r = CliRun.withEnv(NO_ENV, "-c", file.toString(), "list");
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("Error: ").contains(file.toString()).doesNotContain("\tat ");
  }

  @Test
  void anUnreachableClusterFromTheSourceExitsOne() {
    CliRun r = CliRun.capture((out, err) -> PgCtl.run(new String[] {"list"}, CliRun.DEMO,
        config -> {
          throw CtlException.failure("cannot reach the DCS of cluster demo at 127.0.0.1:7001: no majority");
        }, out, err));
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("Error: cannot reach the DCS of cluster demo at 127.0.0.1:7001: no majority\n");
  }
}
