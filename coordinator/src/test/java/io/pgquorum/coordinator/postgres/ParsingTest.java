package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small text formats LocalPostgres reads and writes. */
class ParsingTest {
  @Test
  void lsnRoundTrip() {
    assertThat(Lsn.parse("16/B374D848")).isEqualTo((0x16L << 32) | 0xB374D848L);
    assertThat(Lsn.parse("0/0")).isZero();
    assertThat(Lsn.format(Lsn.parse("16/B374D848"))).isEqualTo("16/B374D848");
    assertThatThrownBy(() -> Lsn.parse("nonsense")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void connInfoQuotesOnlyWhatNeedsIt() {
    Map<String, String> kv = new LinkedHashMap<>();
    kv.put("host", "10.0.0.1");
    kv.put("application_name", "node one");
    kv.put("passfile", "/tmp/it's\\here");
    kv.put("options", "");
    String rendered = ConnInfo.render(kv);
    assertThat(rendered).isEqualTo(
        "host=10.0.0.1 application_name='node one' passfile='/tmp/it\\'s\\\\here' options=''");
    assertThat(ConnInfo.parse(rendered)).containsExactlyEntriesOf(kv);
  }

  @Test
  void commandLineSplitsLikeAShellWithoutExpanding() {
    assertThat(CommandArgv.split("/usr/bin/foo --a=1  'b c' \"d \\\"e\\\"\" f\\ g $HOME"))
        .containsExactly("/usr/bin/foo", "--a=1", "b c", "d \"e\"", "f g", "$HOME");
    assertThat(CommandArgv.split("x ''")).containsExactly("x", "");
    assertThatThrownBy(() -> CommandArgv.split("x 'y")).hasMessageContaining("unterminated single quote");
    assertThatThrownBy(() -> CommandArgv.split("   ")).hasMessageContaining("empty command");
  }

  @Test
  void patroniStyleOptionsBecomeLongOptions() {
    assertThat(CommandArgv.longOptions(List.of("data-checksums", "encoding=UTF8", "--locale=C", "-N", " ")))
        .containsExactly("--data-checksums", "--encoding=UTF8", "--locale=C", "-N");
  }

  @Test
  void slotNamesAreSanitised() {
    assertThat(SlotNames.forMember("Node-2.example")).isEqualTo("node_2_example");
    assertThat(SlotNames.forMember("pg_1")).isEqualTo("pg_1");
    assertThat(SlotNames.forMember("x".repeat(70))).hasSize(63);
  }

  @Test
  void controlDataParsesLabelsWithColonsInValues() {
    String out = """
        Database system identifier:           7710689023573500996
        Database cluster state:               shut down in recovery
        Latest checkpoint location:           0/15010B0
        Latest checkpoint's REDO location:    0/1501078
        Latest checkpoint's TimeLineID:       3
        Latest checkpoint's NextXID:          0:725
        Latest checkpoint's oldestCommitTsXid:0
        Minimum recovery ending location:     0/3000060
        Min recovery ending loc's timeline:   3
        wal_log_hints setting:                on
        Data page checksum version:           0
        """;
    ControlData cd = ControlData.parse(out);
    assertThat(cd.systemIdentifier()).isEqualTo("7710689023573500996");
    assertThat(cd.cleanShutdown()).isTrue();
    assertThat(cd.wasInRecovery()).isTrue();
    assertThat(cd.checkpointLocation()).isEqualTo(0x15010B0L);
    assertThat(cd.redoLocation()).isEqualTo(0x1501078L);
    assertThat(cd.checkpointTimeline()).isEqualTo(3);
    assertThat(cd.minRecoveryEnd()).isEqualTo(0x3000060L);
    assertThat(cd.minRecoveryEndTimeline()).isEqualTo(3);
    assertThat(cd.get("Latest checkpoint's NextXID")).contains("0:725");
    assertThat(cd.get("Latest checkpoint's oldestCommitTsXid")).contains("0");
    assertThat(cd.walLogHints()).isTrue();
    assertThat(cd.dataChecksums()).isFalse();
    assertThat(cd.dataTimeline()).as("checkpoint and minimum recovery point on the same timeline").isEqualTo(3);
    assertThat(ControlData.parse("Database cluster state: in production").cleanShutdown()).isFalse();
    // A standby stopped after replaying a switch to timeline 2 and before any restartpoint on it: the data is on 2.
    String switched = String.join("\n", "Database cluster state:               shut down in recovery",
        "Latest checkpoint's TimeLineID:       1", "Minimum recovery ending location:     0/4019988",
        "Min recovery ending loc's timeline:   2");
    assertThat(ControlData.parse(switched).dataTimeline()).isEqualTo(2);
    // A primary fenced after its promotion and before the promotion's checkpoint (crash recovery targets timeline 2).
    assertThat(ControlData.parse(switched.replace("shut down in recovery", "in production")).dataTimeline())
        .isEqualTo(2);
    // A primary that checkpointed since has no minimum recovery point; nor does a standby that never replayed past it.
    assertThat(ControlData.parse(switched.replace("0/4019988", "0/0")).dataTimeline()).isEqualTo(1);
    assertThat(ControlData.parse(switched.replace("shut down in recovery", "shut down").replace("0/4019988", "0/0"))
        .dataTimeline()).isEqualTo(1);
    assertThatThrownBy(() -> ControlData.parse("").systemIdentifier())
        .hasMessageContaining("Database system identifier");
  }

  @Test
  void conninfoUpstream() {
    assertThat(StateProbe.upstreamOf("host=10.1.2.3 port=5433 user=r")).contains("10.1.2.3:5433");
    assertThat(StateProbe.upstreamOf("host=::1 user=r")).contains("[::1]:5432");
    assertThat(StateProbe.upstreamOf("")).isEmpty();
    assertThat(StateProbe.upstreamOf("user=r")).isEmpty();
  }
}
