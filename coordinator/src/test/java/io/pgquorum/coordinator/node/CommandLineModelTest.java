package io.pgquorum.coordinator.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.init.InitArgs;
import io.pgquorum.testkit.RepoRoot;
import io.pgquorum.testkit.datadriven.DataDriven;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * bin/pgquorum's picocli model: the bash completion script that dist ships is generated from it (and must be
 * regenerated when it changes), and its {@code init} declares exactly the flags InitArgs parses.
 */
class CommandLineModelTest {
  static final String REGENERATE = "./mvnw -o -q -pl coordinator -am test -Dtest=CommandLineModelTest "
      + "-Dsurefire.failIfNoSpecifiedTests=false -Ddatadriven.rewrite=true";

  private static Path script() {
    return RepoRoot.find().resolve("dist/src/main/completion/pgquorum.bash");
  }

  @Test
  void theShippedCompletionScriptIsGeneratedFromTheModel() throws IOException {
    String generated = AutoComplete.bash("pgquorum", CommandLineModel.commandLine());
    if (DataDriven.rewriting()) {
      Files.createDirectories(script().getParent());
      Files.writeString(script(), generated);
      return;
    }
    assertThat(Files.readString(script()))
        .as("dist/src/main/completion/pgquorum.bash differs from CommandLineModel: regenerate it with `"
            + REGENERATE + "` and review the diff")
        .isEqualTo(generated);
    // What the completion offers: the subcommands and the options of each.
    assertThat(generated).contains("witness", "init", "--validate-config", "--join", "--witness", "--scope");
  }

  @Test
  void initDeclaresTheFlagsInitArgsParses() {
    CommandLine init = CommandLineModel.commandLine().getSubcommands().get("init");
    Set<String> declared = new HashSet<>();
    init.getCommandSpec().options().forEach(o -> declared.addAll(Set.of(o.names())));
    Set<String> expected = new HashSet<>(InitArgs.valueFlags());
    expected.addAll(Set.of("--help", "-h"));
    assertThat(declared).isEqualTo(expected);
  }
}
