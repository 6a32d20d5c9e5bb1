package io.pgquorum.backrest.restore;

import io.pgquorum.backrest.info.BackupInfo;
import io.pgquorum.backrest.info.StanzaInfo;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which backup a point-in-time recovery restores. pgBackRest chooses by itself only for time targets, and when no
 * backup ended before the time it silently restores the latest and recovers to the end of the archive (its FAQ's
 * "time-based PITR doesn't work"); so pgquorum chooses, says which, and refuses when no backup can reach the
 * target.
 */
public sealed interface BackupChoice {
  /** The backup to restore. */
  record Chosen(BackupInfo backup) implements BackupChoice {}

  /** No backup can reach the target; {@code reason} says why, for the operator. */
  record NoUsableBackup(String reason) implements BackupChoice {}

  DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'+00'");

  /**
   * For a time target the newest backup that stopped at or before the target (stop times are whole seconds, as
   * pgBackRest records them and compares them); for an LSN the newest whose stop LSN is at or before it; for the
   * other kinds the newest. {@code set} overrides the choice but must exist and, for time and LSN targets, must
   * end at or before the target.
   */
  static BackupChoice choose(StanzaInfo stanza, RecoveryTarget target, Optional<String> set) {
    List<BackupInfo> backups = stanza.backups();
    if (backups.isEmpty()) {
      return new NoUsableBackup("the repository holds no backups of stanza " + stanza.name());
    }
    if (set.isPresent()) {
      Optional<BackupInfo> named = backups.stream().filter(b -> b.label().equals(set.get())).findFirst();
      if (named.isEmpty()) {
        return new NoUsableBackup("--set " + set.get() + ": no such backup in stanza " + stanza.name()
            + " (it holds " + backups.stream().map(BackupInfo::label).collect(Collectors.joining(", ")) + ")");
      }
      BackupInfo b = named.get();
      if (!reaches(b, target)) {
        return new NoUsableBackup("--set " + b.label() + " ends at " + ends(b) + ", after the target "
            + target.value().orElse("") + ": choose an earlier backup or a later target");
      }
      return new Chosen(b);
    }
    Comparator<BackupInfo> newest = Comparator.comparing(BackupInfo::stop);
    Optional<BackupInfo> best = backups.stream().filter(b -> reaches(b, target)).max(newest);
    if (best.isPresent()) {
      return new Chosen(best.get());
    }
    BackupInfo oldest = backups.stream().min(newest).orElseThrow();
    if (target.kind() == TargetKind.LSN && backups.stream().allMatch(b -> b.lsnStop().isEmpty())) {
      return new NoUsableBackup("no backup of stanza " + stanza.name() + " records its stop LSN, so none can be"
          + " matched to " + target.kind().option() + " " + target.value().orElse(""));
    }
    return new NoUsableBackup("no backup ends before " + target.value().orElse("") + "; the oldest, "
        + oldest.label() + ", ends at " + ends(oldest));
  }

  private static boolean reaches(BackupInfo b, RecoveryTarget target) {
    return switch (target.kind()) {
      case TIME -> !b.stop().isAfter(target.time().orElseThrow().instant());
      case LSN -> b.lsnStop().map(l -> Lsn.parse(l, "lsn.stop").compareTo(target.lsn().orElseThrow()) <= 0)
          .orElse(false);
      default -> true;
    };
  }

  /** A backup's end, as a plan or an error shows it: its stop time in UTC and its stop LSN. */
  static String ends(BackupInfo b) {
    return SHOWN.format(LocalDateTime.ofInstant(b.stop(), ZoneOffset.UTC)) + b.lsnStop().map(l -> " (LSN " + l + ")")
        .orElse("");
  }
}
