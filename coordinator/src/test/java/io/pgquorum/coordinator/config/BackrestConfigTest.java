package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.backrest.BackrestSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node file's {@code backrest} section: parsed by the adapter, its problems among the file's. */
class BackrestConfigTest {
  @Test
  void absentSectionLeavesPgBackRestOff() {
    NodeConfig c = TestConfigs.parse(TestConfigs.minimal());
    assertThat(c.backrest()).isEmpty();
  }

  @Test
  void sectionTurnsItOnWithTheScopeAsStanza() {
    NodeConfig c = TestConfigs.parse(TestConfigs.set(TestConfigs.minimal(), "backrest.repo1.path", "/mnt/repo"));
    BackrestSettings s = c.backrest().orElseThrow();
    assertThat(s.stanza()).isEqualTo("demo");
    assertThat(s.repo1().path()).isEqualTo(Path.of("/mnt/repo"));
    assertThat(c.warnings()).noneMatch(w -> w.startsWith("backrest"));
  }

  @Test
  void emptySectionMeansOnWithDefaults() {
    NodeConfig c = ConfigLoader.parse(TestConfigs.MINIMAL + "backrest:\n", "test.yml", Map.of());
    assertThat(c.backrest()).hasValueSatisfying(s -> {
      assertThat(s.stanza()).isEqualTo("demo");
      assertThat(s.repo1().path()).isEqualTo(Path.of("/var/lib/pgbackrest"));
    });
  }

  @Test
  void everyProblemJoinsTheFilesNamingItsKey() {
    Map<String, Object> tree = TestConfigs.minimal();
    TestConfigs.set(tree, "backrest.repo1.path", "relative/repo");
    TestConfigs.set(tree, "backrest.schedule.full", "sometimes");
    TestConfigs.set(tree, "backrest.stanzza", "x");
    TestConfigs.set(tree, "postgresql.listen", "nonsense");
    List<String> problems = TestConfigs.problems(tree, Map.of());
    assertThat(problems).anyMatch(p -> p.startsWith("backrest.repo1.path: must be an absolute path"))
        .anyMatch(p -> p.startsWith("backrest.schedule.full: "))
        .anyMatch(p -> p.startsWith("backrest.stanzza: "))
        // the coordinator's own problems are listed with them, all at once
        .anyMatch(p -> p.startsWith("postgresql.listen: "));
  }

  @Test
  void withTheSectionReplicasComeFromTheRepositoryFirstByDefault() {
    NodeConfig on = TestConfigs.parse(TestConfigs.set(TestConfigs.minimal(), "backrest.repo1.path", "/mnt/repo"));
    assertThat(on.postgresql().createReplicaMethods()).containsExactly("backrest", "basebackup");
    assertThat(on.postgresql().replicaMethods()).isEmpty();
    NodeConfig off = TestConfigs.parse(TestConfigs.minimal());
    assertThat(off.postgresql().createReplicaMethods()).containsExactly("basebackup");
  }

  @Test
  void anExplicitMethodListIsKeptAsWritten() {
    Map<String, Object> tree = TestConfigs.set(TestConfigs.minimal(), "backrest.repo1.path", "/mnt/repo");
    TestConfigs.set(tree, "postgresql.create_replica_methods", List.of("basebackup"));
    assertThat(TestConfigs.parse(tree).postgresql().createReplicaMethods()).containsExactly("basebackup");
    TestConfigs.set(tree, "postgresql.create_replica_methods", List.of("basebackup", "backrest"));
    NodeConfig c = TestConfigs.parse(tree);
    assertThat(c.postgresql().createReplicaMethods()).containsExactly("basebackup", "backrest");
    // built in: no postgresql.backrest section is asked for
    assertThat(c.postgresql().replicaMethods()).isEmpty();
  }

  @Test
  void theBuiltInMethodNeedsTheSection() {
    Map<String, Object> tree = TestConfigs.set(TestConfigs.minimal(), "postgresql.create_replica_methods",
        List.of("backrest", "basebackup"));
    assertThat(TestConfigs.problems(tree, Map.of()))
        .anyMatch(p -> p.startsWith("postgresql.create_replica_methods[0]: lists backrest")
            && p.contains("no backrest section"));
  }
}
