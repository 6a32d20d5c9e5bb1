package io.pgquorum.coordinator.config;

import static io.pgquorum.coordinator.config.TestConfigs.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The synchronous replication keys (issue 14's groundwork): Patroni's values, checked, typed (on enforced). */
class SyncSettingsConfigTest {
  private static DynamicConfig parse(Map<String, Object> raw, List<String> warnings) {
    return ConfigLoader.parseDynamic(raw, "config", warnings);
  }

  @Test
  void defaultsArePatronisAndSayNothing() {
    List<String> warnings = new ArrayList<>();
    SyncSettings s = parse(map(), warnings).synchronous();
    assertThat(s).isEqualTo(SyncSettings.off());
    assertThat(s.enabled()).isFalse();
    assertThat(s.checksLag()).isFalse();
    assertThat(warnings).isEmpty();
    // Patroni's default spelled out changes nothing and is not reported.
    assertThat(parse(map("synchronous_mode", "off", "synchronous_node_count", 1), warnings).synchronous())
        .isEqualTo(SyncSettings.off());
    assertThat(warnings).isEmpty();
  }

  @Test
  void everySpellingOfTheModeIsRead() {
    for (Object on : List.of(true, "on", "true", "yes", "ON")) {
      assertThat(parse(map("synchronous_mode", on), new ArrayList<>()).synchronous().mode()).isEqualTo(SyncMode.ON);
    }
    for (Object q : List.of("quorum", "QUORUM", " quorum ")) {
      assertThat(parse(map("synchronous_mode", q), new ArrayList<>()).synchronous().mode())
          .isEqualTo(SyncMode.QUORUM);
    }
    assertThat(parse(map("synchronous_mode", false), new ArrayList<>()).synchronous().mode()).isEqualTo(SyncMode.OFF);
  }

  @Test
  void allKeysAreTyped() {
    List<String> warnings = new ArrayList<>();
    SyncSettings s = parse(map("synchronous_mode", "quorum", "synchronous_mode_strict", "yes",
        "synchronous_node_count", "2", "maximum_lag_on_syncnode", 1_048_576), warnings).synchronous();
    assertThat(s).isEqualTo(new SyncSettings(SyncMode.QUORUM, true, 2, 1_048_576));
    assertThat(s.checksLag()).isTrue();
  }

  /** Both on and quorum are enforced: neither warns (quorum used to, while it was not). */
  @Test
  void neitherModeWarns() {
    List<String> warnings = new ArrayList<>();
    parse(map("synchronous_mode", true, "synchronous_mode_strict", true), warnings);
    parse(map("synchronous_mode", "quorum"), warnings);
    assertThat(warnings).isEmpty();
  }

  @Test
  void badValuesNameTheKey() {
    assertThatThrownBy(() -> parse(map("synchronous_mode", "sometimes", "synchronous_node_count", 0,
        "synchronous_mode_strict", "maybe", "maximum_lag_on_syncnode", -2), new ArrayList<>()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "config.synchronous_mode: must be a boolean (off/on, false/true) or quorum, got \"sometimes\"",
            "config.synchronous_mode_strict: must be a boolean (true/false, on/off, yes/no), got \"maybe\"",
            "config.synchronous_node_count: must be at least 1, got 0",
            "config.maximum_lag_on_syncnode: must be at least -1, got -2"));
  }

  @Test
  void theSettingsSurviveARoundTripThroughTheDcs() {
    DynamicConfig c = parse(map("synchronous_mode", "quorum", "synchronous_node_count", 2), new ArrayList<>());
    DynamicConfig back = parse(ConfigLoader.toMap(c), new ArrayList<>());
    assertThat(back.synchronous()).isEqualTo(c.synchronous());
  }

  @Test
  void syncPriorityIsATagWithNosyncSemanticsAtZeroOrBelow() {
    Map<String, Object> tree = TestConfigs.minimal();
    TestConfigs.set(tree, "tags", map("sync_priority", 0));
    Tags t = TestConfigs.parse(tree).tags();
    assertThat(t.syncPriority()).isZero();
    assertThat(t.neverSync()).isTrue();
    assertThat(t.all()).containsEntry("sync_priority", 0);
    assertThat(Tags.none().syncPriority()).isEqualTo(1);
    assertThat(Tags.none().neverSync()).isFalse();
    Map<String, Object> five = TestConfigs.minimal();
    TestConfigs.set(five, "tags", map("sync_priority", "5"));
    NodeConfig c = TestConfigs.parse(five);
    assertThat(c.warnings()).isEmpty();
    assertThat(c.tags().syncPriority()).isEqualTo(5);
    Map<String, Object> bad = TestConfigs.minimal();
    TestConfigs.set(bad, "tags", map("sync_priority", "high"));
    assertThatThrownBy(() -> TestConfigs.parse(bad)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).containsExactly(
            "tags.sync_priority: must be a whole number (0 or less = never synchronous), got \"high\""));
  }
}
