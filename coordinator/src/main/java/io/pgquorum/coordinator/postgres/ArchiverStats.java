package io.pgquorum.coordinator.postgres;

import java.time.Instant;
import java.util.Optional;

/**
 * WAL archiving as the running server reports it: {@code pg_stat_archiver} and the {@code .ready} files waiting in
 * {@code pg_wal/archive_status} ({@code pg_ls_archive_statusdir()}). Probed only where an archiver runs (a primary
 * with archive_mode on or always, a replica with always).
 *
 * @param archivedCount WAL files archived since the statistics were reset
 * @param failedCount failed attempts to archive
 * @param lastArchived when the last file was archived, if any was
 * @param lastFailed when the last attempt failed, if any did
 * @param readyCount WAL files waiting to be archived
 */
public record ArchiverStats(long archivedCount, long failedCount, Optional<Instant> lastArchived,
    Optional<Instant> lastFailed, long readyCount) {

  /**
   * Archiving fails: the last failure is newer than the last success (or nothing was ever archived after a
   * failure). PostgreSQL retries the same file, so a success after a failure means it got through.
   */
  public boolean failing() {
    return lastFailed.isPresent() && (lastArchived.isEmpty() || lastFailed.get().isAfter(lastArchived.get()));
  }
}
