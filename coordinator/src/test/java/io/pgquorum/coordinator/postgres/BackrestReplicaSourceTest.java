package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.backrest.BackupType;
import io.pgquorum.backrest.info.BackupInfo;
import io.pgquorum.backrest.info.StanzaInfo;
import io.pgquorum.backrest.info.StanzaStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the repository may build a replica, and when the old data directory is reused with --delta. */
class BackrestReplicaSourceTest {
  private static final String SYSTEM = "7454130004578105235";

  private static BackupInfo backup(String label, long stop) {
    return new BackupInfo(label, BackupType.FULL, Optional.empty(), List.of(), Instant.ofEpochSecond(stop - 5),
        Instant.ofEpochSecond(stop), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 1, 1, 1,
        1, false);
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
    assertThat(BackrestReplicaSource.judge(s, SYSTEM, Optional.empty()))
        .isEqualTo(new BackrestReplicaSource.Usable(backup("20261203-110000F", 200), false));
  }

  @Test
  void anOldCopyOfTheSameSystemIsReusedWithDelta() {
    StanzaInfo s = stanza(OK, List.of(backup("20261203-100000F", 100)), Long.parseLong(SYSTEM));
    assertThat(BackrestReplicaSource.judge(s, SYSTEM, Optional.of(SYSTEM)))
        .isEqualTo(new BackrestReplicaSource.Usable(backup("20261203-100000F", 100), true));
    // another system's directory is never restored over (the caller moves it aside)
    assertThat(BackrestReplicaSource.judge(s, SYSTEM, Optional.of("1234")))
        .isEqualTo(new BackrestReplicaSource.Usable(backup("20261203-100000F", 100), false));
  }

  @Test
  void noStanzaOrNoBackupMeansTheNextMethod() {
    assertThat(BackrestReplicaSource.judge(stanza(new StanzaStatus(1, "missing stanza path"), List.of()), SYSTEM,
        Optional.empty())).isEqualTo(new BackrestReplicaSource.Unusable(
            "the repository has no stanza demo (missing stanza path)"));
    assertThat(BackrestReplicaSource.judge(stanza(new StanzaStatus(2, "no valid backups"), List.of(),
        Long.parseLong(SYSTEM)), SYSTEM, Optional.empty())).isEqualTo(new BackrestReplicaSource.Unusable(
            "the stanza demo has no backup yet (no valid backups)"));
  }

  @Test
  void aStanzaInTroubleIsNotUsed() {
    StanzaInfo s = stanza(new StanzaStatus(99, "other"), List.of(backup("20261203-100000F", 100)),
        Long.parseLong(SYSTEM));
    assertThat(BackrestReplicaSource.judge(s, SYSTEM, Optional.empty()))
        .isEqualTo(new BackrestReplicaSource.Unusable("the stanza demo is not usable: other (status code 99)"));
  }

  @Test
  void backupsOfAnEarlierClusterOfTheScopeAreRefused() {
    // stanza-upgrade keeps the history: the last system identifier is the current one
    StanzaInfo s = stanza(OK, List.of(backup("20261203-100000F", 100)), Long.parseLong(SYSTEM), 1111);
    assertThat(BackrestReplicaSource.judge(s, SYSTEM, Optional.of(SYSTEM)))
        .isEqualTo(new BackrestReplicaSource.Unusable("the stanza demo holds backups of database system 1111, "
            + "not of the leader's " + SYSTEM));
  }
}
