package io.pgquorum.backrest.info;

import io.pgquorum.backrest.BackupType;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One stanza of {@code pgbackrest info --output=json}.
 *
 * @param status the stanza's status: read its code, the command's exit code is 0 regardless
 * @param backupRunning whether a backup or expire holds the stanza's lock right now
 * @param repos each repository's status (only repo1 for pgquorum)
 * @param backups oldest first, as pgBackRest lists them
 * @param archives the WAL range kept per PostgreSQL version/system (min/max empty when nothing is archived)
 * @param systemIds the system identifiers the stanza has held (more than one after a stanza-upgrade)
 */
public record StanzaInfo(String name, StanzaStatus status, boolean backupRunning, List<RepoInfo> repos,
    List<BackupInfo> backups, List<ArchiveRange> archives, List<Long> systemIds) {
  /** One repository's status. */
  public record RepoInfo(int key, StanzaStatus status) {}

  /** The archived WAL of one database ({@code id} like {@code 15-1}); empty min/max: nothing archived yet. */
  public record ArchiveRange(String id, Optional<String> min, Optional<String> max) {}

  public StanzaInfo {
    repos = List.copyOf(repos);
    backups = List.copyOf(backups);
    archives = List.copyOf(archives);
    systemIds = List.copyOf(systemIds);
  }

  /** The newest backup of any type (by stop time). */
  public Optional<BackupInfo> latest() {
    return backups.stream().max(Comparator.comparing(BackupInfo::stop));
  }

  /** The newest backup of {@code type} (by stop time). */
  public Optional<BackupInfo> latest(BackupType type) {
    return backups.stream().filter(b -> b.type() == type).max(Comparator.comparing(BackupInfo::stop));
  }

  /** The newest archived WAL file of the current database, for archiving-lag checks. */
  public Optional<String> archiveMax() {
    return archives.isEmpty() ? Optional.empty() : archives.get(archives.size() - 1).max();
  }
}
