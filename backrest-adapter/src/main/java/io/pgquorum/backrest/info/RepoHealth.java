package io.pgquorum.backrest.info;

import io.pgquorum.backrest.BackupType;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the last {@code pgbackrest info} said about this node's stanza, for the health metrics and {@code /patroni}:
 * an immutable value a repository probe publishes after each run.
 *
 * @param checkedAt when the run finished
 * @param answered the command ran and its answer held the stanza (false: it failed, timed out, or the answer
 *     could not be read; {@code message} says why)
 * @param statusCode the stanza's {@code status.code} (0 ok, 1/3 stanza missing, 2 no valid backups, ...); empty
 *     when the command did not answer
 * @param message the stanza's status message, or why the command did not answer
 * @param backupsKnown a backup list was read, now or by an earlier run (false before any run answered): without
 *     one, backup ages are unknown rather than infinite
 * @param lastFullStop when the newest good full backup (no page checksum errors) finished; empty when there is
 *     none
 * @param lastBackupStop when the newest good backup of any type finished; empty when there is none
 * @param backupRunning whether a backup (or expire) holds the stanza's lock ({@code status.lock.backup.held}; on
 *     2.45 the status message does not say so); empty when the command did not answer
 */
public record RepoHealth(Instant checkedAt, boolean answered, OptionalInt statusCode, String message,
    boolean backupsKnown, Optional<Instant> lastFullStop, Optional<Instant> lastBackupStop,
    Optional<Boolean> backupRunning) {

  /** The health an answered {@code info} shows. */
  public static RepoHealth of(StanzaInfo stanza, Instant checkedAt) {
    Optional<Instant> full = stanza.backups().stream().filter(b -> !b.error() && b.type() == BackupType.FULL)
        .map(BackupInfo::stop).max(Comparator.naturalOrder());
    Optional<Instant> any = stanza.backups().stream().filter(b -> !b.error())
        .map(BackupInfo::stop).max(Comparator.naturalOrder());
    return new RepoHealth(checkedAt, true, OptionalInt.of(stanza.status().code()), stanza.status().message(), true,
        full, any, Optional.of(stanza.backupRunning()));
  }

  /**
   * The health after a run that did not answer: the status is unknown, the backups last seen are kept (backups do
   * not vanish because one run failed, and their ages keep growing, which is what an alert on age wants).
   */
  public static RepoHealth failed(String why, Instant checkedAt, Optional<RepoHealth> previous) {
    boolean known = previous.map(RepoHealth::backupsKnown).orElse(false);
    return new RepoHealth(checkedAt, false, OptionalInt.empty(), why, known,
        previous.flatMap(RepoHealth::lastFullStop), previous.flatMap(RepoHealth::lastBackupStop), Optional.empty());
  }

  /**
   * The repository answered and holds the stanza: status ok (0) or no valid backups yet (2, a fresh stanza; the
   * backup ages say that part). A missing stanza or any other code is down.
   */
  public boolean up() {
    return answered && statusCode.isPresent() && (statusCode.getAsInt() == 0 || statusCode.getAsInt() == 2);
  }

  /** Seconds since the newest good full backup finished at {@code now}: NaN when unknown, +Inf when there is none. */
  public double lastFullAgeSeconds(Instant now) {
    return age(lastFullStop, now);
  }

  /** Seconds since the newest good backup of any type finished: NaN when unknown, +Inf when there is none. */
  public double lastBackupAgeSeconds(Instant now) {
    return age(lastBackupStop, now);
  }

  private double age(Optional<Instant> stop, Instant now) {
    if (!backupsKnown) {
      return Double.NaN;
    }
    if (stop.isEmpty()) {
      return Double.POSITIVE_INFINITY;
    }
    // A clock behind the repository's (another host stamped the backup) would give a negative age: none is 0.
    return Math.max(0, Duration.between(stop.get(), now).toMillis() / 1000.0);
  }
}
