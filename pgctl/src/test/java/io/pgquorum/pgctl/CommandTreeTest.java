package io.pgquorum.pgctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.testkit.proc.Commands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The picocli command model ({@link CommandTree}): it names every command and option the parsers accept, its typo
 * suggestions, and the completion scripts made from it (the bundle's copies included).
 */
class CommandTreeTest {
  /** The bundle ships these (dist's assembly); {@code -Dcompletion.rewrite=true} writes them again. */
  private static final List<Path> SHIPPED = List.of(Path.of("../dist/src/main/completion/pgctl.bash"),
      Path.of("../dist/src/main/completion/pgctl.zsh"));
  private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--?[A-Za-z][\\w-]*)");

  private static CliRun run(String... args) {
    return CliRun.against(Snapshots.threeMembers(), args);
  }

  private static List<String> commands() {
    return Arrays.stream(CommandLine.COMMANDS.split(",\\s*")).toList();
  }

  @Test
  void theModelHasEveryCommandAndDcsSubCommand() {
    picocli.CommandLine model = CommandTree.model();
    assertThat(model.getSubcommands().keySet()).containsExactlyInAnyOrderElementsOf(commands());
    assertThat(model.getSubcommands().get("dcs").getSubcommands().keySet())
        .containsExactlyInAnyOrder("members", "add", "remove");
  }

  /**
   * The parsers and their help texts are the truth; every option a command's help names must be in the model, and
   * the model declares nothing a help text does not name (so completion offers only what the parser accepts).
   */
  @Test
  void everyCommandAnswersHelpAndItsOptionsAreTheModels() {
    picocli.CommandLine model = CommandTree.model();
    List<List<String>> paths = new ArrayList<>();
    for (String c : commands()) {
      paths.add(List.of(c));
    }
    for (String sub : List.of("members", "add", "remove")) {
      paths.add(List.of("dcs", sub));
    }
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      CliRun r = run(args.toArray(String[]::new));
      assertThat(r.status()).as("%s --help", path).isZero();
      assertThat(r.out()).as("%s --help", path).startsWith(path.get(0).equals("completion")
          ? "Usage: pgctl completion" : "Usage: pgctl [-c FILE] " + path.get(0)).contains("\nOptions:\n");
      picocli.CommandLine at = model;
      for (String name : path) {
        at = at.getSubcommands().get(name);
      }
      Set<String> declared = new TreeSet<>();
      at.getCommandSpec().options().forEach(o -> declared.addAll(List.of(o.names())));
      Set<String> documented = new TreeSet<>(optionsIn(r.out(), path));
      if (!path.get(0).equals("dcs")) {
        // dcs' one help text covers all three sub-commands; each declares its own part of it
        assertThat(declared).as("%s: options in the model", path).containsAll(documented);
      }
      // -h/--help included: every command's help lists it
      assertThat(documented).as("%s: options its help names", path).containsAll(declared);
    }
  }

  /** The options a help text names in its synopsis and option list (not the ones its prose mentions in passing). */
  private static List<String> optionsIn(String help, List<String> path) {
    List<String> found = new ArrayList<>();
    boolean inOptions = false;
    for (String line : help.lines().toList()) {
      if (line.startsWith("Options:")) {
        inOptions = true;
        continue;
      }
      boolean usage = line.startsWith("Usage:") || line.startsWith("       pgctl") || line.startsWith("             ");
      if (!inOptions && !usage || inOptions && !line.startsWith("  -") && !line.startsWith("  --")) {
        continue;
      }
      String text = inOptions ? line.strip().split("\\s{2,}")[0] : line.replace("[-c FILE]", "");
      Matcher m = OPTION.matcher(text);
      while (m.find()) {
        found.add(m.group(1));
      }
    }
    return found;
  }

  @Test
  void aMistypedCommandOrOptionGetsASuggestion() {
    assertThat(lastLine(run("swtchover"))).startsWith("Error: no such command: 'swtchover' (commands: list, ")
        .endsWith("); did you mean switchover?");
    assertThat(lastLine(run("lsit"))).endsWith("; did you mean list?");
    assertThat(lastLine(run("list", "--formt", "json"))).isEqualTo("Error: no such option for list: --formt; "
        + "did you mean --format?");
    assertThat(lastLine(run("--insecur", "list"))).contains("--insecur; did you mean --insecure?");
    assertThat(lastLine(run("dcs", "membrs"))).endsWith("'membrs' (dcs commands: members, add, remove); did you "
        + "mean members?");
    assertThat(lastLine(run("restart", "--forse"))).contains("--forse; did you mean --force?");
    assertThat(lastLine(run("query", "--delimter", ";"))).contains("did you mean --delimiter?");
    assertThat(lastLine(run("restre"))).contains("; did you mean restore or ");
    assertThat(lastLine(run("failover", "--leader", "x"))).as("a switchover option; the parser's message")
        .isEqualTo("Error: no such option for failover: --leader");
    // Nothing near: no guess.
    assertThat(lastLine(run("xyz"))).startsWith("Error: no such command: 'xyz' (commands:").doesNotContain("mean");
    assertThat(lastLine(run("topology", "-f", "json"))).isEqualTo("Error: no such option for topology: -f");
    CliRun r = run("swtchover");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).startsWith("Usage: pgctl [OPTIONS] COMMAND [ARGS]...\n").doesNotContain("\tat ");
  }

  private static String lastLine(CliRun r) {
    assertThat(r.status()).as(r.err()).isEqualTo(2);
    return r.err().lines().reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void completionPrintsAScriptThatBashAcceptsAndThatCompletesCommandsAndChoices(@TempDir Path dir)
      throws IOException {
    CliRun bash = run("completion", "bash");
    assertThat(bash.status()).isZero();
    assertThat(bash.err()).isEmpty();
    assertThat(bash.out()).contains("switchover", "failover", "edit-config", "--candidate", "complete -F");
    assertThat(run("completion", "zsh").out()).as("zsh runs the same script through bashcompinit")
        .isEqualTo(bash.out()).contains("bashcompinit");
    Path script = dir.resolve("pgctl.bash");
    Files.writeString(script, bash.out(), StandardCharsets.UTF_8);
    Commands.runChecked(List.of("bash", "-n", script.toString()), 30);

    assertThat(complete(script, "pgctl", "sw")).containsExactly("switchover");
    assertThat(complete(script, "pgctl", "list", "--format", "")).containsExactly("pretty", "tsv", "json", "yaml");
    assertThat(complete(script, "pgctl", "dcs", "m")).containsExactly("members");
    assertThat(complete(script, "pgctl", "-c", "x.yml", "fail")).containsExactly("failover");
  }

  /**
   * What the script offers for the last word, as bash's programmable completion would ask it: the function it
   * registered, called with COMP_WORDS and COMP_CWORD set. With bash-completion installed it is loaded first, as
   * in an interactive shell.
   */
  private static List<String> complete(Path script, String... words) {
    String quoted = String.join(" ", Stream.of(words).map(w -> "'" + w + "'").toList());
    String init = Files.isRegularFile(Path.of("/usr/share/bash-completion/bash_completion"))
        ? "source /usr/share/bash-completion/bash_completion 2>/dev/null; " : "";
    String fn = "$(complete -p pgctl | sed -E 's/.*-F ([^ ]+).*/\\1/')";
    String out = Commands.runChecked(List.of("bash", "-c", init + "source " + script + "; COMP_WORDS=(" + quoted
        + "); COMP_CWORD=" + (words.length - 1) + "; COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; "
        + fn + " pgctl \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\" 2>/dev/null; "
        + "printf '%s\\n' \"${COMPREPLY[@]}\""), 30);
    return out.lines().filter(l -> !l.isBlank()).toList();
  }

  /**
   * TAB in a real interactive zsh (a pseudo-terminal driven by zsh's own zpty module, the way a user's shell gets
   * its keys): with compinit and bashcompinit loaded and the zsh script sourced, as its header says, a typed
   * prefix followed by TAB must become the whole word on the command line. zpty's read waits for the completed
   * line (a pattern), so nothing here sleeps; the command's timeout bounds a completion that never comes.
   */
  @Test
  void tabCompletesInARealZsh(@TempDir Path dir) throws IOException {
    assertThat(Path.of("/usr/bin/zsh")).as("zsh is installed (.ci/run installs it)").isExecutable();
    Path script = dir.resolve("pgctl.zsh");
    Files.writeString(script, run("completion", "zsh").out(), StandardCharsets.UTF_8);
    assertThat(tab(dir, script, "pgctl swi", "pgctl switchover ")).isTrue();
    assertThat(tab(dir, script, "pgctl list --fo", "pgctl list --format ")).isTrue();
    assertThat(tab(dir, script, "pgctl dcs mem", "pgctl dcs members ")).isTrue();
  }

  /** Whether TAB after {@code typed} turns the line into {@code expected} in an interactive zsh. */
  private static boolean tab(Path dir, Path script, String typed, String expected) throws IOException {
    Path driver = dir.resolve("drive.zsh");
    // The shell under test prints a marker once set up (quoted apart, so the terminal's echo of the command does
    // not match it); the driver waits for it, types the prefix and TAB, and waits for the completed word (zpty -r
    // with a pattern blocks until it matches; zsh draws the space after it in bold, so the pattern stops at the
    // word). Only then does the driver print DONE.
    Files.writeString(driver, String.join("\n",
        "zmodload zsh/zpty",
        "zpty -b z 'zsh -f -i'",
        "zpty -w z 'PS1=\"> \"; unsetopt beep; autoload -U +X compinit && compinit -u -d " + dir.resolve("zcd")
            + "; autoload -U +X bashcompinit && bashcompinit; source " + script + "; print -r -- SET\"\"UP'",
        "zpty -r z out '*SETUP*'",
        "zpty -w -n z $'" + typed + "\\t'",
        "zpty -r z out '*" + expected.strip() + "*'",
        "print DONE",
        "zpty -d z", ""), StandardCharsets.UTF_8);
    String out = Commands.runChecked(List.of("timeout", "30", "zsh", "-f", driver.toString()), 40);
    return out.strip().equals("DONE");
  }

  @Test
  void completionNamesItsBadArgument() {
    assertThat(lastLine(run("completion", "fish"))).contains("'fish'", "bash, zsh");
    assertThat(lastLine(run("completion"))).contains("missing argument for completion");
    assertThat(run("completion", "--help").out()).startsWith("Usage: pgctl completion bash|zsh");
  }

  /** The bundle's scripts are the model's: regenerate them (-Dcompletion.rewrite=true) when a command changes. */
  @Test
  void theShippedScriptsAreTheGeneratedOnes() throws IOException {
    String generated = CommandTree.completionScript();
    for (Path shipped : SHIPPED) {
      if (Boolean.getBoolean("completion.rewrite")) {
        Files.writeString(shipped, generated, StandardCharsets.UTF_8);
      }
      assertThat(Files.readString(shipped, StandardCharsets.UTF_8)).as("%s (rewrite with -Dcompletion.rewrite=true)",
          shipped).isEqualTo(generated);
    }
  }

  @Test
  void editDistanceCountsASwapAsOneEdit() {
    assertThat(CommandTree.distance("lsit", "list")).isEqualTo(1);
    assertThat(CommandTree.distance("swtchover", "switchover")).isEqualTo(1);
    assertThat(CommandTree.distance("xyz", "list")).isEqualTo(4);
  }
}
