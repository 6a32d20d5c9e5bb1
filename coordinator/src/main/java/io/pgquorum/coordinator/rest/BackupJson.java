package io.pgquorum.coordinator.rest;

import io.pgquorum.backrest.info.RepoHealth;
import io.pgquorum.coordinator.postgres.ArchiverStats;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code pgquorum.repository} and {@code pgquorum.archive} in {@code /patroni} (issue 13): the same facts as the
 * backup and archiving metrics ({@link BackupMetrics}), as timestamps rather than ages (a document is read later
 * than it is written). Absent values are left out.
 */
final class BackupJson {
  private BackupJson() {}

  static Map<String, Object> repository(RepoHealth h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("up", h.up());
    h.statusCode().ifPresent(c -> m.put("status_code", c));
    m.put("message", h.message());
    m.put("checked_at", h.checkedAt().toString());
    h.backupRunning().ifPresent(b -> m.put("backup_running", b));
    h.lastFullStop().ifPresent(t -> m.put("last_full_backup_stop", t.toString()));
    h.lastBackupStop().ifPresent(t -> m.put("last_backup_stop", t.toString()));
    return m;
  }

  static Map<String, Object> archive(ArchiverStats a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("failing", a.failing());
    m.put("archived_count", a.archivedCount());
    m.put("failed_count", a.failedCount());
    a.lastArchived().ifPresent(t -> m.put("last_archived_time", Json.pgTimestamp(t)));
    a.lastFailed().ifPresent(t -> m.put("last_failed_time", Json.pgTimestamp(t)));
    m.put("ready_count", a.readyCount());
    return m;
  }
}
