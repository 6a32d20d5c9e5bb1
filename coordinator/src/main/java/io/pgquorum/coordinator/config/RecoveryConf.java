package io.pgquorum.coordinator.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Patroni's {@code recovery_conf} (local {@code postgresql.recovery_conf}, or the dynamic one): the recovery settings
 * a standby runs with, such as {@code restore_command} fetching WAL from an archive. On PostgreSQL 12+ these are
 * ordinary server settings; which of them a standby gets is decided where they are written
 * ({@code postgres.RecoveryParameters}).
 */
public final class RecoveryConf {
  /**
   * Patroni's recovery parameters: PostgreSQL's recovery settings, plus the recovery.conf-only names
   * ({@code standby_mode}, {@code trigger_file}, {@code pause_at_recovery_target}) old configurations carry.
   */
  public static final Set<String> PARAMETERS = Set.of("archive_cleanup_command", "pause_at_recovery_target",
      "primary_conninfo", "primary_slot_name", "promote_trigger_file", "recovery_end_command",
      "recovery_min_apply_delay", "recovery_target", "recovery_target_action", "recovery_target_inclusive",
      "recovery_target_lsn", "recovery_target_name", "recovery_target_time", "recovery_target_timeline",
      "recovery_target_xid", "restore_command", "standby_mode", "trigger_file");

  private RecoveryConf() {}

  /**
   * {@code recovery_target_timeline: latest}, what every replica runs with: the Patroni + pgBackRest posts write it
   * next to restore_command, so a warning that it is ignored would only alarm.
   */
  private static boolean latestTimeline(String name, String value) {
    return name.equals("recovery_target_timeline") && "latest".equalsIgnoreCase(value.trim());
  }

  /**
   * The mapping at {@code key}, names lower-cased. A name that is no recovery parameter is an error (PostgreSQL
   * would refuse to start with it); the ones a standby never gets from here are kept but reported once, here.
   */
  static Map<String, String> parse(Section parent, ConfigKey key) {
    Map<String, String> out = new LinkedHashMap<>();
    String prefix = parent.keyPath(key);
    Problems problems = parent.problems();
    for (Map.Entry<String, String> e : Parameters.parse(parent, key).entrySet()) {
      String name = e.getKey().trim().toLowerCase(Locale.ROOT);
      String path = prefix + "." + e.getKey();
      if (!PARAMETERS.contains(name)) {
        problems.error(path, "is not a recovery parameter (set other PostgreSQL settings in parameters)");
        continue;
      }
      if (name.equals("primary_conninfo") || name.equals("primary_slot_name")) {
        problems.warn(path, "ignored: pgquorum sets it from the member a replica follows");
      } else if ((name.startsWith("recovery_target") && !latestTimeline(name, e.getValue()))
          || name.equals("pause_at_recovery_target")) {
        problems.warn(path, "ignored for replicas, as under Patroni: a standby with a recovery target stops "
            + "replaying at it (replicas always follow the latest timeline); a point-in-time restore belongs in "
            + "a bootstrap method's recovery_conf");
      } else if (name.equals("standby_mode")) {
        problems.warn(path, "ignored: PostgreSQL 12+ replaces it with standby.signal, which pgquorum writes");
      }
      out.put(name, e.getValue());
    }
    return out;
  }
}
