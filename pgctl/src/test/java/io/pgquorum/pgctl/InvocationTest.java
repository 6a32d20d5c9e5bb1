package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The model as a parser ({@link CommandTree#parse}): click's conventions, which patronictl users type, and
 * picocli's complaints in pgctl's words ({@link UsageErrors}).
 */
class InvocationTest {
  private static Invocation parse(String... args) {
    return CommandTree.parse(args);
  }

  private static void usage(String message, String... args) {
    assertThatThrownBy(() -> parse(args)).isInstanceOfSatisfying(CtlException.class, e -> {
      assertThat(e.isUsage()).isTrue();
      assertThat(e.getMessage()).isEqualTo(message);
    });
  }

  @Test
  void globalOptionsAndTheCommandPath() {
    Invocation a = parse("-c", "n1.yml", "-k", "dcs", "remove", "m3", "--force");
    assertThat(a.path()).containsExactly("dcs", "remove");
    assertThat(a.configFile()).contains("n1.yml");
    assertThat(a.insecure()).isTrue();
    assertThat(a.flag("--force")).isTrue();
    assertThat(a.positionals()).containsExactly("m3");
    assertThat(parse("--config-file=n2.yml", "list").configFile()).contains("n2.yml");
    assertThat(parse("--help").path()).isEmpty();
    assertThat(parse("--help").help()).isTrue();
    assertThat(parse("list", "-h").help()).isTrue();
  }

  @Test
  void clicksSpellingsOfOptionValues() {
    assertThat(parse("list", "-fjson").value("--format")).contains("json");
    assertThat(parse("list", "--format=yaml").value("-f")).contains("yaml");
    assertThat(parse("list", "-f", "json", "--format", "tsv").value("--format")).as("the last one wins")
        .contains("tsv");
    assertThat(parse("edit-config", "--apply", "-").value("--apply")).as("- is standard input").contains("-");
    assertThat(parse("query", "-c", "--force").value("--command")).as("a value is whatever follows")
        .contains("--force");
    assertThat(parse("list", "-e", "-t", "--", "-demo").positionals()).as("-- ends the options")
        .containsExactly("-demo");
    assertThat(parse("version", "demo", "@/etc/hostname").positionals()).as("no @file expansion")
        .containsExactly("demo", "@/etc/hostname");
  }

  @Test
  void optionsInTheOrderTyped() {
    Invocation a = parse("edit-config", "-s", "ttl=20", "-pwork_mem=16MB", "--force", "--set=loop_wait=5");
    assertThat(a.ordered()).containsExactly(Map.entry("--set", "ttl=20"), Map.entry("--pg", "work_mem=16MB"),
        Map.entry("--force", ""), Map.entry("--set", "loop_wait=5"));
    assertThat(ConfigCommands.parse("edit-config", List.of("-s", "a=1", "-p", " b=2", "-s", "c=3")).sets())
        .containsExactly("a=1", "postgresql.parameters.b=2", "c=3");
  }

  @Test
  void complaintsNameWhatWasTyped() {
    usage("option -w requires a value", "list", "-w");
    usage("option --watch requires a value", "topology", "--watch");
    usage("option '-r' requires an argument", "restart", "demo", "-r");
    usage("no such option: --frobnicate", "--frobnicate", "list");
    usage("no such option for list: --colour", "list", "--colour=always");
    usage("no such option for dcs remove: --format", "dcs", "remove", "m3", "--format=json");
    usage("option -c must come before the command: pgctl -c FILE switchover", "switchover", "-c", "n1.yml");
    usage("option --config-file must come before the command: pgctl --config-file FILE dcs ...", "dcs", "members",
        "--config-file=n1.yml");
    usage("unexpected extra argument for backup: 'other' (it takes one CLUSTER_NAME at most)", "backup", "demo",
        "other");
    usage("unexpected extra argument for completion: 'zsh'", "completion", "bash", "zsh");
    usage("unexpected argument for dcs members: 'm1'", "dcs", "members", "m1");
    usage("no such dcs command: 'list' (dcs commands: members, add, remove)", "dcs", "list");
    assertThatThrownBy(() -> parse("lsit")).isInstanceOfSatisfying(CtlException.class,
        e -> assertThat(e.getMessage() + e.suggestion()).startsWith("no such command: 'lsit' (commands: list, ")
            .endsWith("; did you mean list?"));
    usage("option --force does not take a value", "promote-cluster", "--force=yes");
  }
}
