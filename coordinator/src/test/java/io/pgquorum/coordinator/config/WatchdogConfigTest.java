package io.pgquorum.coordinator.config;

import static io.pgquorum.coordinator.config.TestConfigs.map;
import static io.pgquorum.coordinator.config.TestConfigs.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code watchdog} section: Patroni's mode key drives pgquorum's watchdog process. */
class WatchdogConfigTest {

  @Test
  void absentMeansAutomatic() {
    assertThat(TestConfigs.parse(TestConfigs.minimal()).watchdog().mode())
        .isEqualTo(WatchdogConfig.Mode.AUTOMATIC);
  }

  @ParameterizedTest
  @CsvSource({"off, OFF", "disabled, OFF", "disable, OFF", "automatic, AUTOMATIC", "auto, AUTOMATIC",
      "Required, REQUIRED", "require, REQUIRED"})
  void patroniSpellings(String given, WatchdogConfig.Mode mode) {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "watchdog", map("mode", given));
    assertThat(TestConfigs.parse(tree).watchdog().mode()).isEqualTo(mode);
  }

  @Test
  void unquotedOffIsYamlFalseAndMeansOff() {
    NodeConfig c = ConfigLoader.parse(TestConfigs.MINIMAL + "watchdog:\n  mode: off\n", "t.yml", Map.of());
    assertThat(c.watchdog().mode()).isEqualTo(WatchdogConfig.Mode.OFF);
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void anUnknownModeIsAnErrorNamingTheKey() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "watchdog", map("mode", "sometimes"));
    assertThatThrownBy(() -> TestConfigs.parse(tree)).isInstanceOfSatisfying(ConfigException.class, e ->
        assertThat(e.problems()).containsExactly(
            "watchdog.mode: must be one of off, automatic, required, got \"sometimes\""));
    Map<String, Object> yes = TestConfigs.minimal();
    set(yes, "watchdog", map("mode", true));
    assertThatThrownBy(() -> TestConfigs.parse(yes)).isInstanceOfSatisfying(ConfigException.class, e ->
        assertThat(e.problems()).singleElement().asString().startsWith("watchdog.mode: must be one of"));
  }

  @Test
  void deviceKeysAreReportedAndIgnored() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "watchdog", map("mode", "required", "device", "/dev/watchdog", "safety_margin", 5));
    set(tree, "watchdog.modee", "x");
    NodeConfig c = TestConfigs.parse(tree);
    assertThat(c.watchdog().mode()).isEqualTo(WatchdogConfig.Mode.REQUIRED);
    assertThat(c.warnings()).containsExactly(
        "watchdog.device: is not supported by pgquorum and is ignored (pgquorum's watchdog is a process that stops "
            + "PostgreSQL when the lease runs out, not a kernel device)",
        "watchdog.safety_margin: is not supported by pgquorum and is ignored (the fencing margin is "
            + "retry_timeout)",
        "watchdog.modee: unknown key, ignored (did you mean mode?)");
  }

  @Test
  void aWatchdogThatIsNotASectionIsAnError() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "watchdog", "required");
    assertThatThrownBy(() -> TestConfigs.parse(tree)).isInstanceOfSatisfying(ConfigException.class, e ->
        assertThat(e.problems()).singleElement().asString().startsWith("watchdog: must be a mapping"));
  }
}
