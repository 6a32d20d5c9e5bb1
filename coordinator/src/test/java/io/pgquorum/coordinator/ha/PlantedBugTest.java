package io.pgquorum.coordinator.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.config.ConfigException;
import org.junit.jupiter.api.Test;

/** {@code PGQUORUM_PLANTED_BUG}: the three test-harness values, unset for normal operation, anything else refused. */
class PlantedBugTest {
  @Test
  void values() {
    assertThat(PlantedBug.parse(null)).isEqualTo(PlantedBug.NONE);
    assertThat(PlantedBug.parse(" ")).isEqualTo(PlantedBug.NONE);
    assertThat(PlantedBug.parse("skip-demote-on-lost-lease")).isEqualTo(PlantedBug.SKIP_DEMOTE_ON_LOST_LEASE);
    assertThat(PlantedBug.parse("lease-ignores-drift")).isEqualTo(PlantedBug.LEASE_IGNORES_DRIFT);
    assertThat(PlantedBug.parse(" No-Watchdog ")).isEqualTo(PlantedBug.NO_WATCHDOG);
  }

  @Test
  void anUnknownValueNamesTheVariable() {
    assertThatThrownBy(() -> PlantedBug.parse("split-brain-please"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "PGQUORUM_PLANTED_BUG: unknown planted bug split-brain-please (known: skip-demote-on-lost-lease, "
                + "lease-ignores-drift, no-watchdog; unset it for normal operation)"));
  }
}
