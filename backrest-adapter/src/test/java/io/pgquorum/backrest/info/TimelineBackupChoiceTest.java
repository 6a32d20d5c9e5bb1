package io.pgquorum.backrest.info;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.backrest.BackupType;
import io.pgquorum.backrest.info.TimelineBackupChoice.Chosen;
import io.pgquorum.backrest.info.TimelineBackupChoice.NoneUsable;
import io.pgquorum.backrest.info.TimelineBackupChoice.Switch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Which backup can build a standby of a leader on its timeline (the after-PITR trap of issue 13). */
class TimelineBackupChoiceTest {
  private static BackupInfo backup(String label, long stopSecond, int timeline, long lsnStop) {
    String wal = String.format(Locale.ROOT, "%08X%08X%08X", timeline, 0, 2);
    return new BackupInfo(label, BackupType.FULL, Optional.empty(), List.of(),
        Instant.ofEpochSecond(stopSecond - 5),
        Instant.ofEpochSecond(stopSecond), Optional.of(wal), Optional.of(wal), Optional.of("0/2000028"),
        Optional.of(TimelineBackupChoice.format(lsnStop)), 1, 1, 1, 1, false);
  }

  private static final long MB = 0x1000000L;

  @Test
  void theTrapFromPatroniBackrestItTheNewestTimelineOneBackupLiesPastTheBranch() {
    // backup A on timeline 1 (stop 0/3000000), backup B on timeline 1 (stop 0/9000000); a PITR to 0/5000000
    // made timeline 2, promoted again to 3 (history 1 at 0/5000000, 2 at 0/7000000)
    BackupInfo a = backup("20261203-100000F", 100, 1, 3 * MB);
    BackupInfo b = backup("20261203-110000F", 200, 1, 9 * MB);
    List<Switch> history = List.of(new Switch(1, 5 * MB), new Switch(2, 7 * MB));
    TimelineBackupChoice.Choice c = TimelineBackupChoice.choose(List.of(a, b), 3, history);
    assertThat(c).isInstanceOf(Chosen.class);
    assertThat(((Chosen) c).backup()).isEqualTo(a);
    assertThat(((Chosen) c).skipped()).containsExactly("20261203-110000F: it is on timeline 1 and became "
        + "consistent at 0/9000000, past the leader's branch from timeline 1 at 0/5000000");
  }

  @Test
  void stopAtTheSwitchPointIsUsableOneByteLaterIsNot() {
    List<Switch> history = List.of(new Switch(1, 5 * MB));
    assertThat(TimelineBackupChoice.unusable(backup("20261203-100000F", 1, 1, 5 * MB), 2, history)).isEmpty();
    assertThat(TimelineBackupChoice.unusable(backup("20261203-100000F", 1, 1, 5 * MB + 1), 2, history))
        .contains("it is on timeline 1 and became consistent at 0/5000001, past the leader's branch from "
            + "timeline 1 at 0/5000000");
  }

  @Test
  void aBackupOnTheLeadersTimelineIsAlwaysUsableAndTheNewestWins() {
    BackupInfo old = backup("20261203-100000F", 100, 1, 3 * MB);
    BackupInfo onTwo = backup("20261203-120000F", 300, 2, 0x20 * MB);
    TimelineBackupChoice.Choice c = TimelineBackupChoice.choose(List.of(onTwo, old), 2,
        List.of(new Switch(1, 5 * MB)));
    assertThat(c).isEqualTo(new Chosen(onTwo, List.of()));
    // on timeline 1 with no history at all
    assertThat(TimelineBackupChoice.choose(List.of(old), 1, List.of())).isEqualTo(new Chosen(old, List.of()));
  }

  @Test
  void laterSiblingAndUnknownTimelinesAreRefusedAndNothingUsableSaysWhy() {
    BackupInfo later = backup("20261203-130000F", 400, 3, 0x30 * MB);
    BackupInfo sibling = backup("20261203-120000F", 300, 2, 0x20 * MB);
    BackupInfo unknown = new BackupInfo("20261203-110000F", BackupType.FULL, Optional.empty(), List.of(),
        Instant.ofEpochSecond(195), Instant.ofEpochSecond(200), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), 1, 1, 1, 1, false);
    BackupInfo past = backup("20261203-100000F", 100, 1, 9 * MB);
    List<Switch> history = List.of(new Switch(1, 5 * MB));
    TimelineBackupChoice.Choice c = TimelineBackupChoice.choose(List.of(past, unknown, later), 2,
        history);
    assertThat(c).isInstanceOf(NoneUsable.class);
    assertThat(((NoneUsable) c).reason()).isEqualTo("no backup can reach the leader's timeline 2: "
        + "20261203-130000F: it is on timeline 3, later than the leader's 2; "
        + "20261203-110000F: its timeline is unknown (pgBackRest recorded no archive start); "
        + "20261203-100000F: it is on timeline 1 and became consistent at 0/9000000, past the leader's branch "
        + "from timeline 1 at 0/5000000");
    // a leader on timeline 4 whose history goes 1 -> 3 -> 4 was never on timeline 2 (a fork that lost)
    assertThat(TimelineBackupChoice.unusable(sibling, 4, List.of(new Switch(1, 5 * MB), new Switch(3, 6 * MB))))
        .contains("its timeline 2 is not in the leader's history (another branch)");
    assertThat(TimelineBackupChoice.choose(List.of(), 2, history)).isEqualTo(new NoneUsable(
        "the stanza has no backup"));
  }

  /**
   * Seeded: random histories and backups. PostgreSQL's own check (the timeline of minRecoveryPoint - 1 in the
   * requested history must be the backup's) decides usability independently; the choice must be usable by it and
   * every newer backup must not be.
   */
  @Test
  void seededAgainstPostgresqlsHistoryLookup() {
    for (long seed = 1; seed <= 500; seed++) {
      Random r = new Random(seed);
      int leader = 1 + r.nextInt(5);
      List<Switch> history = new ArrayList<>();
      long at = 0;
      for (int t = 1; t < leader; t++) {
        if (r.nextInt(4) == 0 && t > 1) {
          continue; // a timeline number used by a fork the leader never followed
        }
        at += 1 + r.nextInt(8) * MB;
        history.add(new Switch(t, at));
      }
      List<BackupInfo> backups = new ArrayList<>();
      int n = r.nextInt(6);
      for (int i = 0; i < n; i++) {
        backups.add(backup(String.format(Locale.ROOT, "20261203-%06dF", i), 100 + i, 1 + r.nextInt(leader + 1),
            1 + r.nextInt(48) * MB + r.nextInt(2)));
      }
      TimelineBackupChoice.Choice c = TimelineBackupChoice.choose(backups, leader, history);
      BackupInfo expected = backups.stream().filter(b -> pgAccepts(b, leader, history))
          .max(java.util.Comparator.comparing(BackupInfo::stop)).orElse(null);
      assertThat(c instanceof Chosen ch ? ch.backup() : null).as("seed %d: %s on %d %s", seed, backups, leader,
          history).isEqualTo(expected);
      for (BackupInfo b : backups) {
        assertThat(TimelineBackupChoice.unusable(b, leader, history).isEmpty()).as("seed %d: %s", seed, b)
            .isEqualTo(pgAccepts(b, leader, history));
      }
    }
  }

  /** xlogrecovery.c: tliOfPointInHistory(minRecoveryPoint - 1, expectedTLEs) == the backup's timeline. */
  private static boolean pgAccepts(BackupInfo b, int leader, List<Switch> history) {
    int tli = TimelineBackupChoice.timelineOf(b).getAsInt();
    long point = TimelineBackupChoice.lsn(b.lsnStop().get()).getAsLong() - 1;
    for (Switch s : history) {
      if (point < s.switchpoint()) {
        return s.timeline() == tli;
      }
    }
    return tli == leader; // at or past the last switch: the leader's own timeline
  }
}
