package io.pgquorum.coordinator.config;

import static io.pgquorum.coordinator.config.TestConfigs.map;
import static io.pgquorum.coordinator.config.TestConfigs.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code watchdog} section: Patroni's keys drive pgquorum's watchdog process and optional kernel device. */
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
  void patronisDeviceKeysConfigureTheKernelDevice() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "watchdog", map("mode", "required", "device", "/dev/watchdog", "safety_margin", 5));
    set(tree, "watchdog.driver", "default");
    set(tree, "watchdog.modee", "x");
    NodeConfig c = TestConfigs.parse(tree);
    assertThat(c.watchdog()).isEqualTo(new WatchdogConfig(WatchdogConfig.Mode.REQUIRED,
        Optional.of(Path.of("/dev/watchdog")), 5));
    assertThat(c.warnings()).containsExactly(
        "watchdog.driver: is not supported by pgquorum and is ignored (pgquorum drives the device named by "
            + "watchdog.device through the Linux watchdog API)",
        "watchdog.modee: unknown key, ignored (did you mean mode?)");
  }

  @Test
  void noDeviceUnlessConfiguredAndPatronisDefaultMargin() {
    WatchdogConfig w = TestConfigs.parse(TestConfigs.minimal()).watchdog();
    assertThat(w.device()).isEmpty();
    assertThat(w.safetyMargin()).isEqualTo(5);
    Map<String, Object> half = TestConfigs.minimal();
    set(half, "watchdog", map("device", "/dev/watchdog0", "safety_margin", -1));
    assertThat(TestConfigs.parse(half).watchdog().safetyMargin()).isEqualTo(-1);
  }

  @Test
  void badSafetyMarginsAreErrorsAndUselessKeysAreWarnings() {
    for (Object bad : new Object[] {-2, "five", true, 90_000}) {
      Map<String, Object> tree = TestConfigs.minimal();
      set(tree, "watchdog", map("device", "/dev/watchdog", "safety_margin", bad));
      assertThatThrownBy(() -> TestConfigs.parse(tree)).as("%s", bad)
          .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
              .startsWith("watchdog.safety_margin: must be a whole number of seconds (0 or more, or -1"));
    }
    Map<String, Object> noDevice = TestConfigs.minimal();
    set(noDevice, "watchdog", map("safety_margin", 3));
    assertThat(TestConfigs.parse(noDevice).warnings())
        .containsExactly("watchdog.safety_margin: has no effect without watchdog.device");
    Map<String, Object> off = TestConfigs.minimal();
    set(off, "watchdog", map("mode", "off", "device", "/dev/watchdog"));
    assertThat(TestConfigs.parse(off).warnings())
        .containsExactly("watchdog.device: is not used: watchdog.mode is off");
  }

  @Test
  void aWatchdogThatIsNotASectionIsAnError() {
    Map<String, Object> tree = TestConfigs.minimal();
    set(tree, "watchdog", "required");
    assertThatThrownBy(() -> TestConfigs.parse(tree)).isInstanceOfSatisfying(ConfigException.class, e ->
        assertThat(e.problems()).singleElement().asString().startsWith("watchdog: must be a mapping"));
  }
}
