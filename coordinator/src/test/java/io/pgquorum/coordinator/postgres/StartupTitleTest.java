package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StartupTitleTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "postgres: startup recovering 000000010000000000000004|1",
      "postgres: main: startup recovering 0000000A0000000000000004|10",
      "postgres: startup waiting for 000000020000000100000000|2",
      "postgres: startup restoring 000000030000000000000010|3",
      "postgres: startup|0",
      "postgres: startup recovering 00000002.history|0",
      "postgres: checkpointer|0",
      "postgres: startup recovering 000000000000000000000004|0"})
  void theReplayedTimelineComesFromTheWalFileName(String title, int expected) {
    assertThat(StartupTitle.timeline(title).orElse(0)).isEqualTo(expected);
  }
}
