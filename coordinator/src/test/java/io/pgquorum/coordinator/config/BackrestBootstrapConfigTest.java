package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code bootstrap.method: backrest} and its {@code bootstrap.backrest} section. */
class BackrestBootstrapConfigTest {
  private static Map<String, Object> withBackrest() {
    Map<String, Object> tree = TestConfigs.set(TestConfigs.minimal(), "backrest.repo1.path", "/mnt/repo");
    return TestConfigs.set(tree, "bootstrap.method", "backrest");
  }

  @Test
  void withoutASectionTheLatestBackupIsRestoredToTheEndOfTheArchive() {
    NodeConfig c = TestConfigs.parse(withBackrest());
    assertThat(c.bootstrap().backrest()).contains(BackrestBootstrap.latest());
    assertThat(c.bootstrap().methods()).isEmpty();
    assertThat(c.warnings()).noneMatch(w -> w.startsWith("bootstrap"));
  }

  @Test
  void aTargetWithItsTypeExclusiveAndSet() {
    Map<String, Object> tree = withBackrest();
    TestConfigs.set(tree, "bootstrap.backrest.type", "lsn");
    TestConfigs.set(tree, "bootstrap.backrest.target", "0/3000060");
    TestConfigs.set(tree, "bootstrap.backrest.target_exclusive", true);
    TestConfigs.set(tree, "bootstrap.backrest.set", "20261202-155319F");
    assertThat(TestConfigs.parse(tree).bootstrap().backrest()).contains(new BackrestBootstrap("lsn",
        Optional.of("0/3000060"), true, Optional.of("20261202-155319F")));
  }

  @Test
  void theBuiltInMethodNeedsTheBackrestSection() {
    Map<String, Object> tree = TestConfigs.set(TestConfigs.minimal(), "bootstrap.method", "backrest");
    assertThat(TestConfigs.problems(tree, Map.of())).anyMatch(p -> p.startsWith("bootstrap.method: is backrest")
        && p.contains("no backrest section"));
  }

  @Test
  void aTargetIsRequiredForTargetTypesAndRefusedForTheOthers() {
    Map<String, Object> tree = withBackrest();
    TestConfigs.set(tree, "bootstrap.backrest.type", "time");
    assertThat(TestConfigs.problems(tree, Map.of()))
        .anyMatch(p -> p.startsWith("bootstrap.backrest.target: is required with type time"));
    tree = withBackrest();
    TestConfigs.set(tree, "bootstrap.backrest.target", "0/3000060");
    assertThat(TestConfigs.problems(tree, Map.of()))
        .anyMatch(p -> p.startsWith("bootstrap.backrest.target: is not allowed with type latest"));
    TestConfigs.set(tree, "bootstrap.backrest.type", "immediate");
    assertThat(TestConfigs.problems(tree, Map.of()))
        .anyMatch(p -> p.startsWith("bootstrap.backrest.target: is not allowed with type immediate"));
  }

  @Test
  void badValuesAreNamedByKey() {
    Map<String, Object> tree = withBackrest();
    TestConfigs.set(tree, "bootstrap.backrest.type", "sometime");
    assertThat(TestConfigs.problems(tree, Map.of())).anyMatch(p -> p.startsWith("bootstrap.backrest.type: must be "
        + "one of latest, time, lsn, xid, name, immediate"));
    tree = withBackrest();
    TestConfigs.set(tree, "bootstrap.backrest.type", "lsn");
    TestConfigs.set(tree, "bootstrap.backrest.target", "yesterday");
    assertThat(TestConfigs.problems(tree, Map.of())).anyMatch(p -> p.startsWith("bootstrap.backrest.target: is "
        + "not valid") && p.contains("0/3000060"));
    tree = withBackrest();
    TestConfigs.set(tree, "bootstrap.backrest.set", "newest");
    assertThat(TestConfigs.problems(tree, Map.of())).anyMatch(p -> p.startsWith("bootstrap.backrest.set: is not "
        + "valid"));
    tree = withBackrest();
    TestConfigs.set(tree, "bootstrap.backrest.type", "name");
    TestConfigs.set(tree, "bootstrap.backrest.target", "rp1");
    TestConfigs.set(tree, "bootstrap.backrest.target_exclusive", true);
    assertThat(TestConfigs.problems(tree, Map.of())).anyMatch(p -> p.startsWith(
        "bootstrap.backrest.target_exclusive: applies only to the types time, lsn and xid"));
  }

  @Test
  void aBackrestSectionWithACommandIsStillAPatroniStyleCustomMethod() {
    Map<String, Object> tree = TestConfigs.set(TestConfigs.minimal(), "bootstrap.method", "backrest");
    TestConfigs.set(tree, "bootstrap.backrest.command", "pgbackrest --stanza=demo restore");
    NodeConfig c = TestConfigs.parse(tree);
    assertThat(c.bootstrap().backrest()).isEmpty();
    assertThat(c.bootstrap().methods()).containsKey("backrest");
  }

  @Test
  void thePatroniStylePgbackrestMethodIsUnchanged() {
    Map<String, Object> tree = withBackrest();
    TestConfigs.set(tree, "bootstrap.method", "pgbackrest");
    TestConfigs.set(tree, "bootstrap.pgbackrest.command", "pgbackrest --stanza=demo restore");
    TestConfigs.set(tree, "bootstrap.pgbackrest.keep_existing_recovery_conf", true);
    NodeConfig c = TestConfigs.parse(tree);
    assertThat(c.bootstrap().backrest()).isEmpty();
    assertThat(c.bootstrap().methods().get("pgbackrest").keepExistingRecoveryConf()).isTrue();
  }
}
