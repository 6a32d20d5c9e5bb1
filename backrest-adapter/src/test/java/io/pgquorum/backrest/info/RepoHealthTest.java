package io.pgquorum.backrest.info;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Repository health from real pgBackRest 2.45 answers, with a fixed clock. */
class RepoHealthTest {
  private static final Instant CHECKED = Instant.ofEpochSecond(1_796_322_400L);

  private static StanzaInfo stanza(String file) throws IOException {
    return InfoParser.parse(InfoParserTest.captured(file)).get(0);
  }

  @Test
  void agesCountFromTheNewestGoodFullAndAnyBackupAtTheGivenTime() throws IOException {
    RepoHealth h = RepoHealth.of(stanza("info-full-incr-diff.json"), CHECKED);
    assertThat(h.up()).isTrue();
    assertThat(h.statusCode()).isEqualTo(OptionalInt.of(0));
    assertThat(h.backupRunning()).contains(false);
    assertThat(h.lastFullStop()).contains(Instant.ofEpochSecond(1_796_322_370L));
    assertThat(h.lastBackupStop()).contains(Instant.ofEpochSecond(1_796_322_376L)); // the diff
    Instant now = Instant.ofEpochSecond(1_796_322_470L);
    assertThat(h.lastFullAgeSeconds(now)).isEqualTo(100.0);
    assertThat(h.lastBackupAgeSeconds(now)).isEqualTo(94.0);
    assertThat(h.lastBackupAgeSeconds(now.plusSeconds(6))).isEqualTo(100.0);
    // A clock behind the backup's stamp gives no negative age.
    assertThat(h.lastFullAgeSeconds(Instant.ofEpochSecond(1_796_322_000L))).isZero();
  }

  @Test
  void aStanzaWithoutBackupsIsUpWithInfiniteAges() throws IOException {
    RepoHealth h = RepoHealth.of(stanza("info-nobackup.json"), CHECKED);
    assertThat(h.statusCode()).isEqualTo(OptionalInt.of(2));
    assertThat(h.up()).isTrue();
    assertThat(h.lastFullAgeSeconds(CHECKED)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(h.lastBackupAgeSeconds(CHECKED)).isEqualTo(Double.POSITIVE_INFINITY);
  }

  /**
   * Captured on 2.45 while a full backup ran (issue 13, D.9): no "backup/expire running" message, the status stays
   * what it was (2 during the first backup, 0 with one already there); only lock.backup.held says it.
   */
  @Test
  void aRunningBackupShowsOnlyInTheLock() throws IOException {
    RepoHealth first = RepoHealth.of(stanza("info-backup-running-first.json"), CHECKED);
    assertThat(first.backupRunning()).contains(true);
    assertThat(first.statusCode()).isEqualTo(OptionalInt.of(2));
    assertThat(first.message()).isEqualTo("no valid backups");
    assertThat(first.up()).isTrue();
    assertThat(first.lastFullAgeSeconds(CHECKED)).isEqualTo(Double.POSITIVE_INFINITY);
    RepoHealth next = RepoHealth.of(stanza("info-backup-running.json"), CHECKED);
    assertThat(next.backupRunning()).contains(true);
    assertThat(next.statusCode()).isEqualTo(OptionalInt.of(0));
    assertThat(next.message()).isEqualTo("ok");
    assertThat(next.lastFullStop()).isPresent();
  }

  @Test
  void aMissingStanzaIsDown() throws IOException {
    RepoHealth h = RepoHealth.of(stanza("info-missing.json"), CHECKED);
    assertThat(h.up()).isFalse();
    assertThat(h.statusCode()).isEqualTo(OptionalInt.of(1));
    assertThat(h.message()).isEqualTo("missing stanza path");
  }

  @Test
  void aBackupWithChecksumErrorsIsNotAGoodOne() throws IOException {
    StanzaInfo s = stanza("info-full-incr-diff.json");
    BackupInfo full = s.backups().get(0);
    BackupInfo bad = new BackupInfo(full.label(), full.type(), full.prior(), full.references(), full.start(),
        full.stop(), full.archiveStart(), full.archiveStop(), full.lsnStart(), full.lsnStop(), full.size(),
        full.delta(), full.repoSize(), full.repoDelta(), true);
    StanzaInfo withBad = new StanzaInfo(s.name(), s.status(), s.backupRunning(), s.repos(),
        java.util.List.of(bad), s.archives(), s.systemIds());
    RepoHealth h = RepoHealth.of(withBad, CHECKED);
    assertThat(h.lastFullAgeSeconds(CHECKED)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(h.lastBackupAgeSeconds(CHECKED)).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void aFailedRunIsDownWithUnknownStatusAndKeepsTheBackupsSeenBefore() throws IOException {
    RepoHealth first = RepoHealth.failed("timed out", CHECKED, Optional.empty());
    assertThat(first.up()).isFalse();
    assertThat(first.statusCode()).isEmpty();
    assertThat(first.backupRunning()).isEmpty();
    assertThat(first.lastFullAgeSeconds(CHECKED)).isNaN();
    assertThat(first.lastBackupAgeSeconds(CHECKED)).isNaN();

    RepoHealth good = RepoHealth.of(stanza("info-full-incr-diff.json"), CHECKED);
    RepoHealth later = RepoHealth.failed("timed out", CHECKED.plusSeconds(60), Optional.of(good));
    assertThat(later.up()).isFalse();
    assertThat(later.message()).isEqualTo("timed out");
    assertThat(later.lastFullAgeSeconds(CHECKED.plusSeconds(60))).isEqualTo(90.0);
  }
}
