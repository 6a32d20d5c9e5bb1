package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the timeline switches that led to a timeline from PostgreSQL's history file, reasons included. */
class TimelineSwitchTest {
  @Test
  void parsesSwitchPointsAndReasons() {
    assertThat(TimelineSwitch.parse(
        "1\t0/3000060\tno recovery target specified\n\n# comment\n2\t0/50000D8\tat restore point \"x\"\n"))
        .containsExactly(new TimelineSwitch(1, 0x3000060L, "no recovery target specified"),
            new TimelineSwitch(2, 0x50000D8L, "at restore point \"x\""));
  }

  @Test
  void readsTheFileOfTheTimelineAndChecksItEndsWithTheSwitchIntoIt(@TempDir Path data) throws Exception {
    Files.createDirectories(data.resolve("pg_wal"));
    Files.writeString(data.resolve("pg_wal/0000000A.history"), "9\t0/A000000\tno recovery target specified\n");
    assertThat(HistoryFile.read(data, 10)).containsExactly(
        new TimelineSwitch(9, 0xA000000L, "no recovery target specified"));
    assertThat(HistoryFile.read(data, 1)).isEmpty();
    assertThatThrownBy(() -> HistoryFile.read(data, 11)).isInstanceOf(PostgresException.class)
        .hasMessageContaining("0000000B.history").hasMessageContaining("does not exist");
    Files.writeString(data.resolve("pg_wal/0000000C.history"), "9\t0/A000000\tno recovery target specified\n");
    assertThatThrownBy(() -> HistoryFile.read(data, 12)).isInstanceOf(PostgresException.class)
        .hasMessageContaining("does not end with the switch from timeline 11");
  }
}
