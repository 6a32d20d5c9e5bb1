package io.pgquorum.pgctl;

import io.pgquorum.backrest.info.BackupInfo;
import io.pgquorum.backrest.restore.RecoveryTarget;
import io.pgquorum.backrest.restore.TargetKind;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * What {@code pgctl restore} will do, shown before it does it.
 *
 * @param stanza the pgBackRest stanza read
 * @param backup the backup restored
 * @param chosenBySet the operator named it ({@code --set}); else pgctl chose it for the target
 * @param target where recovery stops (PostgreSQL promotes there)
 * @param to the restore test's directory; empty: the cluster in place
 * @param port the restore test's port
 */
record RestorePlan(String scope, String stanza, BackupInfo backup, boolean chosenBySet, RecoveryTarget target,
    Optional<Path> to, int port) {
  private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'+00'");

  /** The plan as printed, one item a line. */
  String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("Restore plan (cluster ").append(scope).append(", pgBackRest stanza ").append(stanza).append("):\n");
    sb.append("  Backup:    ").append(backup.label()).append(" (").append(backup.type().pgbackrestName())
        .append(chosenBySet ? ", given with --set" : target.kind() == TargetKind.TIME || target.kind() == TargetKind.LSN
            ? ", the newest that ends before the target" : ", the newest").append(")\n");
    sb.append("  Ends at:   ").append(UTC.format(LocalDateTime.ofInstant(backup.stop(), ZoneOffset.UTC)))
        .append(", LSN ").append(backup.lsnStop().orElse("unknown")).append('\n');
    sb.append("  Target:    ").append(target.describe()).append(", then promote\n");
    if (to.isPresent()) {
      sb.append("  Where:     a separate copy in ").append(to.get()).append(" on port ").append(port)
          .append(", archive_mode=off (the running cluster is not touched)\n");
    } else {
      sb.append("  Where:     the cluster ").append(scope).append(" in place: every member's PostgreSQL stops, its"
          + " data directory is moved aside, one member restores and the others are rebuilt from it\n");
    }
    return sb.toString();
  }
}
