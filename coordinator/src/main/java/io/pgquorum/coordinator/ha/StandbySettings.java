package io.pgquorum.coordinator.ha;

import io.pgquorum.coordinator.config.StandbyCluster;
import io.pgquorum.coordinator.postgres.PgState;
import io.pgquorum.coordinator.postgres.Upstream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which of a {@code standby_cluster} section's recovery settings a running server does not run with yet: the
 * comparison {@link StandbyRules} plans its reloads from. Values only, no decisions (setting names are values
 * here, not decision text). Public for the test that checks it against a real PostgreSQL's probe.
 */
public final class StandbySettings {
  private StandbySettings() {}

  /**
   * The names of the recovery settings {@code section} asks for that the running server {@code pg} does not run
   * with (as its probe read them from pg_settings; a setting not probed is not judged). {@code followsRemote}: the
   * server follows the remote (the standby leader, or a member while there is none) and gets the section's slot and
   * apply delay too; otherwise it follows a member of this cluster and gets only the section's archive commands
   * (see {@code ConfigWriter#replicaSettings}). A key the section leaves out is not judged (the node's own
   * recovery_conf or backrest section may give it), except the slot, which only the section gives a follower of the
   * remote. PostgreSQL 13+ reads all of these on a reload ({@code pg_settings.context} is {@code sighup}).
   */
  public static List<String> staleSettings(StandbyCluster section, PgState pg, boolean followsRemote,
      boolean useSlots) {
    Map<String, String> now = pg.recoverySettings();
    List<String> stale = new ArrayList<>();
    section.restoreCommand().filter(v -> differs(now, "restore_command", v)).ifPresent(v -> stale.add(
        "restore_command"));
    section.archiveCleanupCommand().filter(v -> differs(now, "archive_cleanup_command", v))
        .ifPresent(v -> stale.add("archive_cleanup_command"));
    if (!followsRemote) {
      return stale;
    }
    section.recoveryMinApplyDelay().flatMap(StandbySettings::millis)
        .filter(ms -> differs(now, "recovery_min_apply_delay", ms))
        .ifPresent(ms -> stale.add("recovery_min_apply_delay"));
    String slot = useSlots && section.streams() ? section.primarySlotName().orElse("") : "";
    if (differs(now, "primary_slot_name", slot)) {
      stale.add("primary_slot_name");
    }
    return stale;
  }

  private static boolean differs(Map<String, String> now, String key, String wanted) {
    return now.containsKey(key) && !now.get(key).equals(wanted);
  }

  /**
   * {@code recovery_min_apply_delay} as PostgreSQL's pg_settings shows it (milliseconds), from the section's
   * spelling (an integer with PostgreSQL's time units, milliseconds without one); empty for a spelling this does
   * not read (then it is not judged stale: the validation of the section names the key).
   */
  public static Optional<String> millis(String value) {
    java.util.OptionalLong micros = io.pgquorum.coordinator.config.TimeUnits.micros(value, "ms");
    // Microseconds that are not whole milliseconds are rounded by PostgreSQL: not judged rather than misjudged.
    return micros.isPresent() && micros.getAsLong() % 1000 == 0 ? Optional.of(Long.toString(micros.getAsLong() / 1000))
        : Optional.empty();
  }


  /** A remote given as a list of hosts (libpq's, for streaming from whichever is the primary). */
  static boolean severalHosts(Upstream remote) {
    return remote.host().contains(",");
  }
}
