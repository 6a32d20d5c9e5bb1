package io.pgquorum.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code slots} key of the dynamic configuration: Patroni's permanent replication slots. */
class PermanentSlotsTest {
  private static DynamicConfig parse(Map<String, Object> raw, List<String> warnings) {
    return ConfigLoader.parseDynamic(raw, "config", warnings);
  }

  @Test
  void physicalAndLogicalSlotsAreReadWithoutWarnings() {
    List<String> warnings = new ArrayList<>();
    DynamicConfig c = parse(Map.of("slots", Map.of("backup", Map.of("type", "physical"),
        "cdc", Map.of("type", "logical", "database", "app", "plugin", "pgoutput"))), warnings);
    assertThat(PermanentSlots.from(c.raw())).containsOnlyKeys("backup", "cdc");
    assertThat(PermanentSlots.from(c.raw()).get("backup").logical()).isFalse();
    assertThat(PermanentSlots.from(c.raw()).get("cdc"))
        .isEqualTo(new PermanentSlots.Slot("cdc", true, Optional.of("app"), Optional.of("pgoutput")));
    assertThat(warnings).as("logical slots are made now: no 'ignored' warning any more").isEmpty();
  }

  @Test
  void absentMeansNone() {
    assertThat(PermanentSlots.from(parse(Map.of(), new ArrayList<>()).raw())).isEmpty();
  }

  @Test
  void badEntriesAreErrorsNamingTheirPath() {
    assertThatThrownBy(() -> parse(Map.of("slots", Map.of("Bad-Name", Map.of("type", "physical"),
        "t", Map.of("type", "virtual"), "l", Map.of("type", "logical"), "s", "physical")), new ArrayList<>()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "config.slots.Bad-Name: is not a replication slot name: lower-case letters, digits and _, at most 63",
            "config.slots.t.type: must be physical or logical, got \"virtual\"",
            "config.slots.l: a logical slot needs database and plugin",
            "config.slots.s: must be a mapping such as {type: physical}, got \"physical\""));
    assertThatThrownBy(() -> parse(Map.of("slots", List.of("backup")), new ArrayList<>()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
            .startsWith("config.slots: must be a mapping of slot names"));
  }
}
