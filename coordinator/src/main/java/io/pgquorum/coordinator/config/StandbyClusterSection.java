package io.pgquorum.coordinator.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads the dynamic configuration's {@code standby_cluster} section ({@link DynamicKeys#STANDBY_CLUSTER}). */
final class StandbyClusterSection {
  /** PostgreSQL's rule for replication slot names. */
  private static final Pattern SLOT = Pattern.compile("[a-z0-9_]{1,63}");
  /** recovery_min_apply_delay as PostgreSQL parses it: milliseconds, or a number with a time unit. */

  /** PostgreSQL's upper bound for recovery_min_apply_delay (an int of milliseconds). */
  private static final long MAX_DELAY_MS = Integer.MAX_VALUE;

  private StandbyClusterSection() {}

  /** Whether a delay is spelt as PostgreSQL reads it (milliseconds without a unit) and within its limit. */
  private static boolean delayValid(String delay) {
    java.util.OptionalLong micros = TimeUnits.micros(delay, "ms");
    return micros.isPresent() && micros.getAsLong() <= MAX_DELAY_MS * 1000;
  }

  /**
   * The section, when it makes this a standby cluster; empty when absent, null, empty, or without any of host,
   * port and restore_command (Patroni's rule; a warning says so when other keys are set). Problems are reported
   * under the keys' paths.
   */
  static Optional<StandbyCluster> parse(Section top) {
    Optional<Section> found = top.section(DynamicKeys.STANDBY_CLUSTER);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Section s = found.get();
    Problems problems = s.problems();
    int before = problems.errorCount();
    Optional<String> host = singleLine(s, DynamicKeys.STANDBY_HOST);
    boolean portGiven = s.has(DynamicKeys.STANDBY_PORT);
    int port = s.integer(DynamicKeys.STANDBY_PORT);
    Optional<String> slot = singleLine(s, DynamicKeys.STANDBY_PRIMARY_SLOT_NAME);
    if (slot.isPresent() && !SLOT.matcher(slot.get()).matches()) {
      problems.error(s.keyPath(DynamicKeys.STANDBY_PRIMARY_SLOT_NAME), "must be a replication slot name ("
          + DynamicKeys.STANDBY_PRIMARY_SLOT_NAME.accepts() + "), got " + problems.show(slot.get()));
    }
    Optional<String> restore = singleLine(s, DynamicKeys.STANDBY_RESTORE_COMMAND);
    Optional<String> cleanup = singleLine(s, DynamicKeys.STANDBY_ARCHIVE_CLEANUP_COMMAND);
    Optional<String> delay = singleLine(s, DynamicKeys.STANDBY_RECOVERY_MIN_APPLY_DELAY);
    if (delay.isPresent() && !delayValid(delay.get())) {
      problems.error(s.keyPath(DynamicKeys.STANDBY_RECOVERY_MIN_APPLY_DELAY), "must be "
          + DynamicKeys.STANDBY_RECOVERY_MIN_APPLY_DELAY.accepts() + " up to " + MAX_DELAY_MS + " ms (PostgreSQL's "
          + "limit), got " + problems.show(delay.get()));
    }
    List<String> methods = methods(s);
    s.warnUnknown();
    if (problems.errorCount() > before) {
      return Optional.empty();
    }
    if (host.isEmpty() && !portGiven && restore.isEmpty()) {
      if (!s.keys().isEmpty()) {
        problems.warn(top.keyPath(DynamicKeys.STANDBY_CLUSTER), "has none of host, port and restore_command, so "
            + "this is not a standby cluster and the section is ignored");
      }
      return Optional.empty();
    }
    if (portGiven && host.isEmpty()) {
      problems.error(s.keyPath(DynamicKeys.STANDBY_HOST), "is required with " + s.keyPath(DynamicKeys.STANDBY_PORT)
          + " (the remote primary's host; pgquorum does not guess it)");
      return Optional.empty();
    }
    if (host.isEmpty() && methods.stream().allMatch("basebackup"::equals)) {
      problems.warn(s.keyPath(DynamicKeys.STANDBY_CREATE_REPLICA_METHODS), "basebackup needs "
          + s.keyPath(DynamicKeys.STANDBY_HOST) + ": an archive-only standby cluster can only be created by a "
          + "method that restores from the archive (a postgresql.<method> section listed here)");
    }
    return Optional.of(new StandbyCluster(host.map(String::trim), port, slot, restore, cleanup,
        delay.map(String::trim), methods));
  }

  private static Optional<String> singleLine(Section s, ConfigKey key) {
    Optional<String> v = s.string(key);
    if (v.isPresent() && (v.get().indexOf('\n') >= 0 || v.get().indexOf('\r') >= 0)) {
      s.problems().error(s.keyPath(key), "must be a single line");
      return Optional.empty();
    }
    return v;
  }

  private static List<String> methods(Section s) {
    ConfigKey key = DynamicKeys.STANDBY_CREATE_REPLICA_METHODS;
    if (!s.has(key)) {
      @SuppressWarnings("unchecked")
      List<String> dflt = (List<String>) key.defaultValue().orElseThrow();
      return dflt;
    }
    List<String> names = s.stringList(key);
    if (names.isEmpty() && s.value(key) instanceof List) {
      s.problems().error(s.keyPath(key), "must name at least one method (basebackup is built in)");
    }
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i).trim();
      if (!seen.add(n)) {
        s.problems().error(s.keyPath(key) + "[" + i + "]", "lists " + n + " twice");
      } else {
        out.add(n);
      }
    }
    return out;
  }
}
