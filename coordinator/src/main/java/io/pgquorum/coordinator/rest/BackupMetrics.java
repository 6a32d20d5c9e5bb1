package io.pgquorum.coordinator.rest;

import io.pgquorum.backrest.info.RepoHealth;
import io.pgquorum.coordinator.ha.NodeStatus;
import io.pgquorum.coordinator.postgres.ArchiverStats;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The backup repository's and WAL archiving's gauges in {@code /metrics} (issue 13): from the repository probe's
 * last {@code pgbackrest info} ({@link RepoHealth}) and the PostgreSQL probe's {@code pg_stat_archiver}
 * ({@link ArchiverStats}). Repository gauges appear on every node with a backrest section, archiving gauges where
 * an archiver runs; unknown values are NaN, an age with no backup at all is +Inf (an alert on age fires).
 */
final class BackupMetrics {
  private BackupMetrics() {}

  /** Where each gauge goes: name, help, value (as the exposition format writes it). */
  interface Sink {
    void add(String name, String help, String value);
  }

  static void add(Sink g, NodeStatus s, Instant now) {
    if (!s.backrest().isEmpty() || s.repository().isPresent()) {
      repository(g, s.repository(), now);
    }
    s.pg().archiver().filter(a -> s.pg().running()).ifPresent(a -> archive(g, a));
  }

  private static void repository(Sink g, Optional<RepoHealth> h, Instant now) {
    g.add("pgquorum_backup_repo_up", "1 when the last pgbackrest info answered with the stanza ok (status 0) or "
        + "without backups yet (2); 0 otherwise; NaN before the first run.", h.map(r -> bool(r.up())).orElse(NAN));
    g.add("pgquorum_backup_repo_checked_time", "Epoch seconds when pgbackrest info last ran on this node.",
        h.map(r -> seconds(r.checkedAt())).orElse(NAN));
    g.add("pgquorum_backup_repo_status", "The stanza's status code in the last pgbackrest info (0 ok, 1 missing "
        + "stanza path, 2 no valid backups, 3 missing stanza data, 99 other); NaN when it did not answer.",
        h.flatMap(r -> r.statusCode().isPresent() ? Optional.of(Integer.toString(r.statusCode().getAsInt()))
            : Optional.<String>empty()).orElse(NAN));
    g.add("pgquorum_backup_running", "1 when a backup (or expire) holds the stanza's lock; NaN when unknown.",
        h.flatMap(RepoHealth::backupRunning).map(BackupMetrics::bool).orElse(NAN));
    g.add("pgquorum_backup_last_full_age_seconds", "Seconds since the newest good full backup finished; +Inf when "
        + "there is none, NaN when unknown.", h.map(r -> number(r.lastFullAgeSeconds(now))).orElse(NAN));
    g.add("pgquorum_backup_last_age_seconds", "Seconds since the newest good backup of any type finished; +Inf "
        + "when there is none, NaN when unknown.", h.map(r -> number(r.lastBackupAgeSeconds(now))).orElse(NAN));
  }

  private static void archive(Sink g, ArchiverStats a) {
    g.add("pgquorum_archiving_ok", "0 when WAL archiving fails (the last failure is newer than the last success), "
        + "1 otherwise.", bool(!a.failing()));
    g.add("pgquorum_archive_archived_count", "WAL files archived (pg_stat_archiver.archived_count).",
        Long.toString(a.archivedCount()));
    g.add("pgquorum_archive_failed_count", "Failed attempts to archive WAL (pg_stat_archiver.failed_count).",
        Long.toString(a.failedCount()));
    g.add("pgquorum_archive_last_archived_time", "Epoch seconds of the last archived WAL file; NaN when none was.",
        a.lastArchived().map(BackupMetrics::seconds).orElse(NAN));
    g.add("pgquorum_archive_last_failed_time", "Epoch seconds of the last failed attempt; NaN when none failed.",
        a.lastFailed().map(BackupMetrics::seconds).orElse(NAN));
    g.add("pgquorum_archive_ready_count", "WAL files waiting to be archived (.ready in pg_wal/archive_status).",
        Long.toString(a.readyCount()));
  }

  static final String NAN = "NaN";

  static String bool(boolean b) {
    return b ? "1" : "0";
  }

  private static String seconds(Instant t) {
    return String.format(Locale.ROOT, "%d.%06d", t.getEpochSecond(), t.getNano() / 1000);
  }

  /** A double as the exposition format writes it: NaN, +Inf, -Inf, or a plain decimal number. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return NAN;
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
