package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The section's recovery_min_apply_delay read as pg_settings shows it; the pure decision must never throw on it. */
class StandbySettingsMillisTest {
  @Test
  void unitsAreConvertedToMilliseconds() {
    assertThat(StandbySettings.millis("5min")).contains("300000");
    assertThat(StandbySettings.millis("1500")).contains("1500");
    assertThat(StandbySettings.millis(" 2 h ")).contains("7200000");
  }

  @Test
  void aValueOutOfRangeIsNotJudgedInsteadOfThrowing() {
    assertThat(StandbySettings.millis("99999999999999999999")).isEqualTo(Optional.empty());
    assertThat(StandbySettings.millis("999999999999999999d")).isEqualTo(Optional.empty());
    assertThat(StandbySettings.millis("soon")).isEqualTo(Optional.empty());
  }
}
