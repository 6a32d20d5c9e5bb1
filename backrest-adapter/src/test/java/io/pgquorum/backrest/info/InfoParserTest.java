package io.pgquorum.backrest.info;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.backrest.BackupType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Real answers of pgBackRest 2.45 (captured on this project's machine; see src/test/resources/pgbackrest-2.45). */
class InfoParserTest {
  static String captured(String name) throws IOException {
    try (InputStream in = InfoParserTest.class.getResourceAsStream("/pgbackrest-2.45/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aMissingStanzaIsAStatusCodeNotAnError() throws IOException {
    List<StanzaInfo> all = InfoParser.parse(captured("info-missing.json"));
    assertThat(all).hasSize(1);
    StanzaInfo s = all.get(0);
    assertThat(s.name()).isEqualTo("demo");
    assertThat(s.status()).isEqualTo(new StanzaStatus(1, "missing stanza path"));
    assertThat(s.status().typed()).isEqualTo(StanzaStatus.Code.MISSING_STANZA_PATH);
    assertThat(s.status().stanzaMissing()).isTrue();
    assertThat(s.status().ok()).isFalse();
    assertThat(s.repos()).containsExactly(new StanzaInfo.RepoInfo(1, new StanzaStatus(1, "missing stanza path")));
    assertThat(s.backups()).isEmpty();
    assertThat(s.archives()).isEmpty();
    assertThat(s.archiveMax()).isEmpty();
    assertThat(s.backupRunning()).isFalse();
  }

  @Test
  void aFreshStanzaHasNoValidBackupsAndAnEmptyArchive() throws IOException {
    StanzaInfo s = InfoParser.parse(captured("info-nobackup.json")).get(0);
    assertThat(s.status().typed()).isEqualTo(StanzaStatus.Code.NO_VALID_BACKUPS);
    assertThat(s.status().noBackups()).isTrue();
    assertThat(s.archives()).containsExactly(new StanzaInfo.ArchiveRange("15-1", Optional.empty(),
        Optional.empty()));
    assertThat(s.systemIds()).containsExactly(7715145809278222013L);
    assertThat(s.latest()).isEmpty();
  }

  @Test
  void backupsWithTheirChainTimesLsnsAndSizes() throws IOException {
    StanzaInfo s = InfoParser.parse(captured("info-full-incr-diff.json")).get(0);
    assertThat(s.status().ok()).isTrue();
    assertThat(s.repos()).containsExactly(new StanzaInfo.RepoInfo(1, new StanzaStatus(0, "ok")));
    assertThat(s.archives()).containsExactly(new StanzaInfo.ArchiveRange("15-1",
        Optional.of("000000010000000000000001"), Optional.of("000000010000000000000007")));
    assertThat(s.archiveMax()).contains("000000010000000000000007");
    assertThat(s.backups()).extracting(BackupInfo::label, BackupInfo::type).containsExactly(
        org.assertj.core.groups.Tuple.tuple("20261203-182608F", BackupType.FULL),
        org.assertj.core.groups.Tuple.tuple("20261203-182608F_20261203-182611I", BackupType.INCR),
        org.assertj.core.groups.Tuple.tuple("20261203-182608F_20261203-182614D", BackupType.DIFF));
    BackupInfo full = s.backups().get(0);
    assertThat(full).isEqualTo(new BackupInfo("20261203-182608F", BackupType.FULL, Optional.empty(), List.of(),
        Instant.ofEpochSecond(1796322368), Instant.ofEpochSecond(1796322370),
        Optional.of("000000010000000000000002"), Optional.of("000000010000000000000003"),
        Optional.of("0/2000028"), Optional.of("0/3000050"), 22992557, 22992557, 3056734, 3056734, false));
    BackupInfo incr = s.backups().get(1);
    assertThat(incr.prior()).contains("20261203-182608F");
    assertThat(incr.references()).containsExactly("20261203-182608F");
    assertThat(incr.lsnStart()).contains("0/5000028");
    assertThat(incr.lsnStop()).contains("0/5000100");
    assertThat(incr.delta()).isEqualTo(1417482);
    assertThat(incr.repoDelta()).isEqualTo(163004);
    assertThat(s.latest().orElseThrow().label()).isEqualTo("20261203-182608F_20261203-182614D");
    assertThat(s.latest(BackupType.FULL).orElseThrow().label()).isEqualTo("20261203-182608F");
    assertThat(s.latest(BackupType.INCR).orElseThrow().stop()).isEqualTo(Instant.ofEpochSecond(1796322373));
  }

  @Test
  void aBackupRunningIsSeenInTheLock() throws IOException {
    // The lock flag as 2.45 prints it while a backup runs (message "backup/expire running"), on the real answer.
    String json = captured("info-nobackup.json").replace("\"held\":false", "\"held\":true");
    assertThat(InfoParser.parse(json).get(0).backupRunning()).isTrue();
  }

  @Test
  void aChangedFormatFailsLoudlyNamingTheField() throws IOException {
    assertThatThrownBy(() -> InfoParser.parse("not json")).hasMessageStartingWith("pgbackrest info: not JSON");
    assertThatThrownBy(() -> InfoParser.parse("{}")).hasMessage("pgbackrest info: expected an array of stanzas");
    String noCode = captured("info-missing.json").replace("\"status\":{\"code\":1,\"lock\"", "\"status\":{\"lock\"");
    assertThatThrownBy(() -> InfoParser.parse(noCode)).hasMessage("pgbackrest info: stanza demo: no status.code");
    String badType = captured("info-full-incr-diff.json").replace("\"type\":\"incr\"", "\"type\":\"block\"");
    assertThatThrownBy(() -> InfoParser.parse(badType)).hasMessage("pgbackrest info: stanza demo backup "
        + "20261203-182608F_20261203-182611I: unknown backup type \"block\" (full, diff or incr)");
  }
}
