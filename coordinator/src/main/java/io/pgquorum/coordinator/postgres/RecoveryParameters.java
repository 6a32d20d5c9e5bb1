package io.pgquorum.coordinator.postgres;

import io.pgquorum.coordinator.config.RecoveryConf;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The recovery settings a standby runs with, apart from whom it streams from: what a configured
 * {@code recovery_conf} gives a standby (Patroni's rules for PostgreSQL 12+), with the overrides of whoever builds
 * the standby (a standby cluster's {@code restore_command}, say). {@link ConfigWriter} writes {@link #settings()}
 * into pgquorum's configuration file next to {@code primary_conninfo}.
 *
 * <p>What a standby never takes from {@code recovery_conf}: {@code primary_conninfo} and {@code primary_slot_name}
 * (pgquorum's, from the member it follows), any recovery target (replay would stop at it and the standby never
 * follow its primary again), and the recovery.conf-only names PostgreSQL 12+ rejects ({@code standby_mode},
 * {@code pause_at_recovery_target}; {@code trigger_file} becomes {@code promote_trigger_file}).
 *
 * @param values the settings, PostgreSQL 12+ names
 */
public record RecoveryParameters(Map<String, String> values) {
  /** The recovery targets: a standby gets each of them empty, as Patroni writes them. */
  static final List<String> TARGETS = List.of("recovery_target", "recovery_target_name", "recovery_target_time",
      "recovery_target_xid", "recovery_target_lsn");
  /** Set only by pgquorum for the member a standby follows. */
  static final Set<String> CONNECTION = Set.of("primary_conninfo", "primary_slot_name");
  /**
   * What must not reach a standby from postgresql.auto.conf: it is read after pgquorum's file and would win. The
   * recovery targets and their options stop replay; a fixed timeline or another primary_conninfo/slot stops it
   * from following its leader.
   */
  static final Set<String> BREAK_REPLICATION = Set.of("recovery_target", "recovery_target_name",
      "recovery_target_time", "recovery_target_xid", "recovery_target_lsn", "recovery_target_action",
      "recovery_target_inclusive", "recovery_target_timeline", "primary_conninfo", "primary_slot_name");

  public static final RecoveryParameters NONE = new RecoveryParameters(Map.of());

  public RecoveryParameters {
    values = Map.copyOf(values);
  }

  /** What a standby takes from a configured {@code recovery_conf} (see the class comment). */
  public static RecoveryParameters forStandby(Map<String, String> recoveryConf) {
    Map<String, String> v = new LinkedHashMap<>();
    recoveryConf.forEach((name, value) -> {
      if (!RecoveryConf.PARAMETERS.contains(name) || CONNECTION.contains(name) || name.startsWith("recovery_target")
          || name.equals("standby_mode") || name.equals("pause_at_recovery_target")) {
        return;
      }
      v.put(name.equals("trigger_file") ? "promote_trigger_file" : name, value);
    });
    if (recoveryConf.containsKey("promote_trigger_file")) {
      v.put("promote_trigger_file", recoveryConf.get("promote_trigger_file")); // the current name wins
    }
    return new RecoveryParameters(v);
  }

  /** These with {@code overrides} written over them (a standby cluster's restore_command, ...). */
  public RecoveryParameters with(Map<String, String> overrides) {
    Map<String, String> v = new LinkedHashMap<>(values);
    v.putAll(forStandby(overrides).values());
    return new RecoveryParameters(v);
  }

  /**
   * The settings a standby is written with: these, {@code recovery_target_timeline = latest} (a standby follows
   * its primary across promotions), and every recovery target empty, so that none set in an included file
   * applies either (Patroni does the same).
   */
  Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>(values);
    s.put("recovery_target_timeline", "latest");
    TARGETS.forEach(t -> s.put(t, ""));
    return s;
  }
}
