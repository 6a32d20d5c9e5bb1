package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.backrest.BackupType;
import io.pgquorum.backrest.info.BackupInfo;
import io.pgquorum.backrest.info.StanzaInfo;
import io.pgquorum.backrest.info.StanzaStatus;
import io.pgquorum.backrest.info.TimelineBackupChoice;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the repository may build a replica, and when the old data directory is reused with --delta. */
class BackrestReplicaSourceTest {
  private static final String SYSTEM = "7454130004578105235";
  private static final String WAL = "000000010000000000000002";

  private static BackupInfo backup(String label, long stop) {
    return new BackupInfo(label, BackupType.FULL, Optional.empty(), List.of(), Instant.ofEpochSecond(stop - 5),
        Instant.ofEpochSecond(stop), Optional.of(WAL), Optional.of(WAL), Optional.of("0/2000028"),
        Optional.of("0/3000000"), 1, 1, 1, 1, false);
  }

  private static StanzaInfo stanza(StanzaStatus status, List<BackupInfo> backups, long... systemIds) {
    return new StanzaInfo("demo", status, false, List.of(), backups, List.of(),
        java.util.Arrays.stream(systemIds).boxed().toList());
  }

  private static final StanzaStatus OK = new StanzaStatus(0, "ok");

  @Test
  void aBackupOfTheLeadersSystemIsRestoredTheNewestOne() {
    StanzaInfo s = stanza(OK, List.of(backup("20261203-100000F", 100), backup("20261203-110000F", 200)),
        Long.parseLong(SYSTEM));
    assertThat(BackrestReplicaSource.judge(s, SYSTEM, 1, List.of(), Optional.empty()))
        .isEqualTo(new BackrestReplicaSource.Usable(backup("20261203-110000F", 200), false));
  }

  @Test
  void afterAPitrTheNewestBackupThatReachesTheLeadersTimelineIsChosenOrTheMethodIsSkipped() {
    // both on timeline 1, consistent at 0/3000000; the leader branched to timeline 2 at 0/2800000: neither reaches
    StanzaInfo s = stanza(OK, List.of(backup("20261203-100000F", 100), backup("20261203-110000F", 200)),
        Long.parseLong(SYSTEM));
    assertThat(BackrestReplicaSource.judge(s, SYSTEM, 2,
        List.of(new TimelineBackupChoice.Switch(1, 0x2800000L)), Optional.empty()))
        .isEqualTo(new BackrestReplicaSource.Unusable("the stanza demo: no backup can reach the leader's timeline "
            + "2: 20261203-110000F: it is on timeline 1 and became consistent at 0/3000000, past the leader's "
            + "branch from timeline 1 at 0/2800000; 20261203-100000F: it is on timeline 1 and became consistent at "
            + "0/3000000, past the leader's branch from timeline 1 at 0/2800000; the method is skipped"));
    // branched at 0/3000000: the newest reaches it and is restored
    assertThat(BackrestReplicaSource.judge(s, SYSTEM, 2,
        List.of(new TimelineBackupChoice.Switch(1, 0x3000000L)), Optional.empty()))
        .isEqualTo(new BackrestReplicaSource.Usable(backup("20261203-110000F", 200), false));
  }

  @Test
  void anOldCopyOfTheSameSystemIsReusedWithDelta() {
    StanzaInfo s = stanza(OK, List.of(backup("20261203-100000F", 100)), Long.parseLong(SYSTEM));
    assertThat(BackrestReplicaSource.judge(s, SYSTEM, 1, List.of(), Optional.of(SYSTEM)))
        .isEqualTo(new BackrestReplicaSource.Usable(backup("20261203-100000F", 100), true));
    // another system's directory is never restored over (the caller moves it aside)
    assertThat(BackrestReplicaSource.judge(s, SYSTEM, 1, List.of(), Optional.of("1234")))
        .isEqualTo(new BackrestReplicaSource.Usable(backup("20261203-100000F", 100), false));
  }

  @Test
  void noStanzaOrNoBackupMeansTheNextMethod() {
    assertThat(BackrestReplicaSource.judge(stanza(new StanzaStatus(1, "missing stanza path"), List.of()), SYSTEM, 1,
        List.of(), Optional.empty())).isEqualTo(new BackrestReplicaSource.Unusable(
            "the repository has no stanza demo (missing stanza path)"));
    assertThat(BackrestReplicaSource.judge(stanza(new StanzaStatus(2, "no valid backups"), List.of(),
        Long.parseLong(SYSTEM)), SYSTEM, 1, List.of(), Optional.empty())).isEqualTo(new BackrestReplicaSource.Unusable(
            "the stanza demo has no backup yet (no valid backups)"));
  }

  @Test
  void aStanzaInTroubleIsNotUsed() {
    StanzaInfo s = stanza(new StanzaStatus(99, "other"), List.of(backup("20261203-100000F", 100)),
        Long.parseLong(SYSTEM));
    assertThat(BackrestReplicaSource.judge(s, SYSTEM, 1, List.of(), Optional.empty()))
        .isEqualTo(new BackrestReplicaSource.Unusable("the stanza demo is not usable: other (status code 99)"));
  }

  @Test
  void backupsOfAnEarlierClusterOfTheScopeAreRefused() {
    // stanza-upgrade keeps the history: the last system identifier is the current one
    StanzaInfo s = stanza(OK, List.of(backup("20261203-100000F", 100)), Long.parseLong(SYSTEM), 1111);
    assertThat(BackrestReplicaSource.judge(s, SYSTEM, 1, List.of(), Optional.of(SYSTEM)))
        .isEqualTo(new BackrestReplicaSource.Unusable("the stanza demo holds backups of database system 1111, "
            + "not of the leader's " + SYSTEM));
  }
}
