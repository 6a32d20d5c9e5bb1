package io.pgquorum.backrest.info;

import io.pgquorum.backrest.BackupType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One backup in the repository, as {@code info --output=json} lists it.
 *
 * @param label e.g. {@code 20261203-182608F}, {@code 20261203-182608F_20261203-182611I}
 * @param prior the backup a diff/incr is based on; empty for a full backup
 * @param references every backup whose files this one uses
 * @param archiveStart the first WAL file the backup needs (empty when pgBackRest did not record one)
 * @param lsnStart where the backup started in WAL (e.g. {@code 0/2000028})
 * @param lsnStop where it became consistent: the earliest point it can be restored to
 * @param size bytes of the database at backup time; {@code delta} bytes copied by this backup
 * @param repoSize bytes in the repository (compressed); {@code repoDelta} bytes this backup added
 * @param error whether pgBackRest found page checksum errors while copying
 */
public record BackupInfo(String label, BackupType type, Optional<String> prior, List<String> references,
    Instant start, Instant stop, Optional<String> archiveStart, Optional<String> archiveStop,
    Optional<String> lsnStart, Optional<String> lsnStop, long size, long delta, long repoSize, long repoDelta,
    boolean error) {
  public BackupInfo {
    references = List.copyOf(references);
  }
}
