package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.testkit.datadriven.DataDriven;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration reference is the key registries rendered ({@link ConfigReadme}), and the README's
 * example configuration is valid. With {@code -Ddatadriven.rewrite=true} the reference is regenerated instead.
 */
class ConfigReadmeTest {
  static final String REGENERATE = "./mvnw -o -q -pl coordinator test -Dtest=ConfigReadmeTest "
      + "-Ddatadriven.rewrite=true";

  @Test
  void theReadmeReferenceIsGeneratedFromTheRegistries() throws IOException {
    Path readme = repositoryRoot().resolve("README.md");
    String text = Files.readString(readme);
    String generated = ConfigReadme.render();
    if (DataDriven.rewriting()) {
      Files.writeString(readme, ConfigReadme.splice(text, generated));
      return;
    }
    assertThat(ConfigReadme.between(text))
        .as("README.md's configuration reference differs from the *Keys registries in the config package. "
            + "Regenerate it with `" + REGENERATE + "` and review `git diff README.md`")
        .isEqualTo(generated);
  }

  @Test
  void theReferenceNamesEveryKeyDefaultAndVariable() {
    String generated = ConfigReadme.render();
    for (KeyTable table : ConfigKeys.TABLES) {
      assertThat(generated).contains("#### " + table.title());
      for (ConfigKey key : table.keys()) {
        assertThat(generated).contains("`" + key.path() + "`");
        if (key.support() == ConfigKey.Support.SUPPORTED) {
          key.env().ifPresent(v -> assertThat(generated).contains("`" + v + "`"));
        }
      }
    }
    // The discrepancy that started this: the code's default for use_pg_rewind is false, as Patroni's.
    assertThat(generated).contains("| `postgresql.use_pg_rewind` | `false` | boolean |");
    assertThat(generated).contains("| `ttl` | `5` | seconds, to the millisecond, 4 to 86400 |");
  }

  @Test
  void splicingReplacesOnlyTheTextBetweenTheMarkers() {
    String readme = "before\n" + ConfigReadme.BEGIN + "\nold\n" + ConfigReadme.END + "\nafter\n";
    String spliced = ConfigReadme.splice(readme, "\nnew\n");
    assertThat(spliced).isEqualTo("before\n" + ConfigReadme.BEGIN + "\nnew\n" + ConfigReadme.END + "\nafter\n");
    assertThat(ConfigReadme.between(spliced)).isEqualTo("\nnew\n");
    assertThatThrownBy(() -> ConfigReadme.splice("no markers", "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("config-keys:begin");
  }

  /** The example under "Running a node" loads without a warning, as {@code --validate-config} would read it. */
  @Test
  void theReadmeExampleConfigurationIsValid() throws IOException {
    String text = Files.readString(repositoryRoot().resolve("README.md"));
    int section = text.indexOf("## Running a node");
    int start = text.indexOf("```yaml\n", section) + "```yaml\n".length();
    String yaml = text.substring(start, text.indexOf("```\n", start));

    NodeConfig c = ConfigLoader.parse(yaml, "README.md", Map.of());

    assertThat(c.warnings()).isEmpty();
    assertThat(c.scope()).isEqualTo("demo");
    // Its bootstrap.dcs says "defaults shown, unless noted": use_pg_rewind (noted) and the example parameters.
    DynamicConfig dcs = c.bootstrap().dcs();
    DynamicConfig defaults = ConfigLoader.parseDynamic(null, "bootstrap.dcs", new java.util.ArrayList<>());
    assertThat(dcs.raw()).containsKeys(DynamicKeys.TTL.name(), DynamicKeys.LOOP_WAIT.name(),
        DynamicKeys.RETRY_TIMEOUT.name(), DynamicKeys.MAXIMUM_LAG_ON_FAILOVER.name(),
        DynamicKeys.PRIMARY_START_TIMEOUT.name());
    assertThat(dcs.usePgRewind()).isTrue().isNotEqualTo(DynamicKeys.USE_PG_REWIND.defaultBool());
    assertThat(new DynamicConfig(dcs.ttl(), dcs.loopWait(), dcs.retryTimeout(), dcs.maximumLagOnFailover(),
        dcs.primaryStartTimeout(), defaults.usePgRewind(), dcs.useSlots(), Map.of(), dcs.pgHba(),
        java.util.Optional.empty(), Map.of(), Map.of()))
        .isEqualTo(new DynamicConfig(defaults.ttl(), defaults.loopWait(), defaults.retryTimeout(),
            defaults.maximumLagOnFailover(), defaults.primaryStartTimeout(), defaults.usePgRewind(),
            defaults.useSlots(), Map.of(), defaults.pgHba(), java.util.Optional.empty(), Map.of(), Map.of()));
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no mvnw above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
