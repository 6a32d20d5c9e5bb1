package io.pgquorum.backrest.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.backrest.info.InfoParser;
import io.pgquorum.backrest.info.StanzaInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * On a real 2.45 answer: full 20261203-182608F stopped 18:26:10 at 0/3000050, incr ..._182611I at 18:26:13 and
 * 0/5000100, diff ..._182614D at 18:26:16 and 0/7000050.
 */
class BackupChoiceTest {
  private static final String FULL = "20261203-182608F";
  private static final String INCR = "20261203-182608F_20261203-182611I";
  private static final String DIFF = "20261203-182608F_20261203-182614D";

  private static StanzaInfo stanza(String file) throws IOException {
    try (InputStream in = BackupChoiceTest.class.getResourceAsStream("/pgbackrest-2.45/" + file)) {
      return InfoParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)).get(0);
    }
  }

  private static BackupChoice choose(RecoveryTarget t, String set) throws IOException {
    return BackupChoice.choose(stanza("info-full-incr-diff.json"), t, Optional.ofNullable(set));
  }

  private static String chosen(BackupChoice c) {
    assertThat(c).isInstanceOf(BackupChoice.Chosen.class);
    return ((BackupChoice.Chosen) c).backup().label();
  }

  private static String refused(BackupChoice c) {
    assertThat(c).isInstanceOf(BackupChoice.NoUsableBackup.class);
    return ((BackupChoice.NoUsableBackup) c).reason();
  }

  @Test
  void aTimeTargetTakesTheNewestBackupEndedByThenAStopAtExactlyTheTargetCounts() throws IOException {
    assertThat(chosen(choose(RecoveryTarget.time("2026-12-03 18:26:15+00"), null))).isEqualTo(INCR);
    assertThat(chosen(choose(RecoveryTarget.time("2026-12-03 18:26:16+00"), null))).isEqualTo(DIFF);
    assertThat(chosen(choose(RecoveryTarget.time("2026-12-03 18:26:10+00"), null))).isEqualTo(FULL);
    assertThat(chosen(choose(RecoveryTarget.time("2026-12-03T19:26:12+01:00"), null))).isEqualTo(FULL);
  }

  @Test
  void anLsnTargetTakesTheNewestBackupStoppedAtOrBeforeIt() throws IOException {
    assertThat(chosen(choose(RecoveryTarget.lsn("0/5000100"), null))).isEqualTo(INCR);
    assertThat(chosen(choose(RecoveryTarget.lsn("0/50000FF"), null))).isEqualTo(FULL);
    assertThat(chosen(choose(RecoveryTarget.lsn("1/0"), null))).isEqualTo(DIFF);
  }

  @Test
  void otherTargetsTakeTheNewest() throws IOException {
    assertThat(chosen(choose(RecoveryTarget.immediate(), null))).isEqualTo(DIFF);
    assertThat(chosen(choose(RecoveryTarget.of(TargetKind.NAME, "rp1", false), null))).isEqualTo(DIFF);
    assertThat(chosen(choose(RecoveryTarget.of(TargetKind.XID, "1000", false), null))).isEqualTo(DIFF);
    assertThat(chosen(choose(RecoveryTarget.latest(), null))).isEqualTo(DIFF);
  }

  @Test
  void aTargetBeforeEveryBackupSaysWhichIsTheOldest() throws IOException {
    assertThat(refused(choose(RecoveryTarget.time("2026-12-03 18:26:09+00"), null))).isEqualTo(
        "no backup ends before 2026-12-03 18:26:09+00; the oldest, 20261203-182608F, ends at 2026-12-03 18:26:10+00"
            + " (LSN 0/3000050)");
    assertThat(refused(choose(RecoveryTarget.lsn("0/3000000"), null))).startsWith("no backup ends before 0/3000000;");
  }

  @Test
  void aChosenSetMustExistAndEndBeforeTheTarget() throws IOException {
    assertThat(chosen(choose(RecoveryTarget.lsn("1/0"), FULL))).isEqualTo(FULL);
    assertThat(chosen(choose(RecoveryTarget.immediate(), INCR))).isEqualTo(INCR);
    assertThat(refused(choose(RecoveryTarget.immediate(), "20261203-000000F"))).isEqualTo(
        "--set 20261203-000000F: no such backup in stanza demo (it holds " + FULL + ", " + INCR + ", " + DIFF + ")");
    assertThat(refused(choose(RecoveryTarget.time("2026-12-03 18:26:12+00"), DIFF))).isEqualTo("--set " + DIFF
        + " ends at 2026-12-03 18:26:16+00 (LSN 0/7000050), after the target 2026-12-03 18:26:12+00: choose an"
        + " earlier backup or a later target");
  }

  @Test
  void noBackupsAtAll() throws IOException {
    StanzaInfo empty = stanza("info-nobackup.json");
    assertThat(refused(BackupChoice.choose(empty, RecoveryTarget.immediate(), Optional.empty())))
        .isEqualTo("the repository holds no backups of stanza demo");
    assertThat(empty.backups()).isEqualTo(List.of());
  }
}
