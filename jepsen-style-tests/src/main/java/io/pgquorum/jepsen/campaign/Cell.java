package io.pgquorum.jepsen.campaign;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One combination of a campaign's matrix: what cluster, which schedules, how many.
 *
 * @param target {@code stack} or {@code dcs}
 * @param nodes cluster size of generated schedules; null when replaying a saved schedule
 * @param kinds fault kinds the generator draws from; null when replaying
 * @param ttl lease ttl in seconds (stack), or null for the default
 * @param maxLag {@code maximum_lag_on_failover} in bytes (stack), or null for the default
 * @param sync {@code synchronous_mode} as {@code --synchronous-mode} spells it (stack), or null for the default
 * @param bug planted bug id (stack), or null for none
 * @param schedule a saved schedule to replay, or null to generate
 * @param schedules how many schedules this cell runs (1 when replaying)
 */
public record Cell(String target, Integer nodes, Set<String> kinds, Integer ttl, Long maxLag, String sync,
    String bug, Path schedule, int schedules) {

  public Cell {
    if (kinds != null) {
      // Canonical order (Matrix.ALL_KINDS), so a cell's name does not depend on how its kinds were given.
      Set<String> ordered = new LinkedHashSet<>();
      Matrix.ALL_KINDS.stream().filter(kinds::contains).forEach(ordered::add);
      ordered.addAll(kinds);
      kinds = java.util.Collections.unmodifiableSet(ordered);
    }
  }

  /**
   * A stable, file-name-safe name, e.g. {@code stack-n3-ttl4-kill+pause}, {@code dcs-n5-all} or
   * {@code stack-bug-no-watchdog-planted-no-watchdog}: the run directory of the cell and its key in reports.
   */
  public String name() {
    List<String> parts = new ArrayList<>();
    parts.add(target);
    if (nodes != null) {
      parts.add("n" + nodes);
    }
    if (kinds != null) {
      parts.add(kinds.containsAll(Matrix.ALL_KINDS) ? "all" : String.join("+", kinds));
    }
    if (ttl != null) {
      parts.add("ttl" + ttl);
    }
    if (maxLag != null) {
      parts.add("maxlag" + maxLag);
    }
    if (sync != null) {
      parts.add("sync-" + sync);
    }
    if (bug != null) {
      parts.add("bug-" + bug);
    }
    if (schedule != null) {
      String f = schedule.getFileName().toString();
      parts.add(f.endsWith(".json") ? f.substring(0, f.length() - 5) : f);
    }
    return String.join("-", parts).replaceAll("[^A-Za-z0-9+._-]", "_");
  }

  /** The options that rebuild this cell's cluster in {@code bin/jepsen-run} (for replay commands). */
  public String flags() {
    StringBuilder b = new StringBuilder("--target ").append(target);
    if (ttl != null) {
      b.append(" --ttl ").append(ttl);
    }
    if (maxLag != null) {
      b.append(" --maximum-lag-on-failover ").append(maxLag);
    }
    if (sync != null) {
      b.append(" --synchronous-mode ").append(sync);
    }
    if (bug != null) {
      b.append(" --planted-bug ").append(bug);
    }
    return b.toString();
  }
}
