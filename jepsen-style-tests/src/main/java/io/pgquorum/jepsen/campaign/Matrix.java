package io.pgquorum.jepsen.campaign;

import io.pgquorum.jepsen.fault.FaultKinds;
import io.pgquorum.jepsen.fault.ScheduleJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A campaign's matrix: one or more parts, each {@code AXIS=V1,V2,... [AXIS=...]}, expanded into the cartesian
 * product of its axes (one {@link Cell} per combination). Pure parsing; every mistake is an
 * {@link IllegalArgumentException} that names the axis and the value.
 *
 * <p>Axes:
 * <ul>
 *   <li>{@code target=stack|dcs}: one value per part (default: the command's {@code --target});
 *   <li>{@code nodes=3,5}: cluster sizes of generated schedules;
 *   <li>{@code kinds=partition,kill,...}: each value is one cell's fault kinds; {@code a+b} joins kinds in one
 *       cell, {@code all} is every kind;
 *   <li>{@code ttl=4,8}: the lease ttl in seconds (stack only; loop_wait 1, retry_timeout 2, or 1 for ttl 4);
 *   <li>{@code max-lag=BYTES,...}: {@code maximum_lag_on_failover} (stack only);
 *   <li>{@code sync=off,on,quorum,strict}: the replication mode (stack only; under synchronous replication the
 *       durability checker allows no loss at all);
 *   <li>{@code bug=none,ID,...}: a planted bug in every daemon (stack only);
 *   <li>{@code schedule=FILE,...}: replay saved schedules instead of generating (then {@code nodes} and
 *       {@code kinds} do not apply, and each cell runs its file once);
 *   <li>{@code per-cell=K}: schedules per cell for this part (default: the command's
 *       {@code --schedules-per-cell}).
 * </ul>
 */
public final class Matrix {
  /** Every fault kind the generators know, in the order cells list them. */
  public static final List<String> ALL_KINDS = FaultKinds.generatedNames();
  static final Set<String> AXES = Set.of("target", "nodes", "kinds", "ttl", "max-lag", "sync", "bug", "schedule",
      "per-cell");

  private Matrix() {
  }

  /**
   * The cells of every part, in order (part by part; within a part, the axes vary in the fixed order target,
   * nodes, kinds, ttl, max-lag, bug, schedule, the last fastest).
   *
   * @param parts each part's words, e.g. {@code ["nodes=3,5", "kinds=partition,kill"]}
   * @param defaultTarget the target when a part names none
   * @param defaultPerCell schedules per cell when a part names none
   * @param knownBugs the planted-bug ids the stack accepts
   */
  public static List<Cell> expand(List<List<String>> parts, String defaultTarget, int defaultPerCell,
      Set<String> knownBugs) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("--matrix needs at least one AXIS=VALUES");
    }
    List<Cell> cells = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (List<String> part : parts) {
      for (Cell c : expandPart(part, defaultTarget, defaultPerCell, knownBugs)) {
        if (!names.add(c.name())) {
          throw new IllegalArgumentException("--matrix: cell " + c.name() + " appears twice");
        }
        cells.add(c);
      }
    }
    return cells;
  }

  private static List<Cell> expandPart(List<String> words, String defaultTarget, int defaultPerCell,
      Set<String> knownBugs) {
    if (words.isEmpty()) {
      throw new IllegalArgumentException("--matrix needs at least one AXIS=VALUES");
    }
    Map<String, List<String>> axes = new LinkedHashMap<>();
    for (String w : words) {
      int eq = w.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--matrix: \"" + w + "\" is not AXIS=VALUES (axes: "
            + new TreeSet<>(AXES) + ")");
      }
      String axis = w.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      if (!AXES.contains(axis)) {
        throw new IllegalArgumentException("--matrix: unknown axis \"" + axis + "\" (axes: " + new TreeSet<>(AXES)
            + ")");
      }
      if (axes.containsKey(axis)) {
        throw new IllegalArgumentException("--matrix: axis " + axis + " given twice in one part");
      }
      List<String> values = new ArrayList<>();
      for (String v : w.substring(eq + 1).split(",")) {
        if (v.isBlank()) {
          throw new IllegalArgumentException("--matrix: axis " + axis + " has an empty value in \"" + w + "\"");
        }
        values.add(v.trim());
      }
      if (new LinkedHashSet<>(values).size() != values.size()) {
        throw new IllegalArgumentException("--matrix: axis " + axis + " repeats a value in \"" + w + "\"");
      }
      axes.put(axis, values);
    }

    String target = one(axes, "target", defaultTarget).toLowerCase(Locale.ROOT);
    if (!target.equals("stack") && !target.equals("dcs")) {
      throw new IllegalArgumentException("--matrix: target must be stack or dcs, got \"" + target + "\"");
    }
    int perCell = axes.containsKey("per-cell") ? count("per-cell", one(axes, "per-cell", null)) : defaultPerCell;
    if (target.equals("dcs")) {
      for (String stackOnly : List.of("ttl", "max-lag", "sync", "bug")) {
        if (axes.containsKey(stackOnly)) {
          throw new IllegalArgumentException("--matrix: axis " + stackOnly + " applies to target=stack only");
        }
      }
    }
    boolean replay = axes.containsKey("schedule");
    if (replay && (axes.containsKey("nodes") || axes.containsKey("kinds"))) {
      throw new IllegalArgumentException("--matrix: schedule= replays saved schedules; nodes= and kinds= apply to "
          + "generated ones only");
    }

    List<Integer> nodes = new ArrayList<>();
    for (String v : axes.getOrDefault("nodes", List.of("3"))) {
      int n = count("nodes", v);
      if (n > 9) {
        throw new IllegalArgumentException("--matrix: nodes must be 1..9, got " + n);
      }
      nodes.add(n);
    }
    List<Set<String>> kinds = new ArrayList<>();
    for (String v : axes.getOrDefault("kinds", List.of("all"))) {
      kinds.add(kinds(v));
    }
    List<Integer> ttls = new ArrayList<>();
    for (String v : axes.getOrDefault("ttl", List.of())) {
      int t = count("ttl", v);
      if (t < 4 || t > 120) {
        throw new IllegalArgumentException("--matrix: ttl must be 4..120 s (pgquorum's minimum is 4), got " + t);
      }
      ttls.add(t);
    }
    List<Long> maxLags = new ArrayList<>();
    for (String v : axes.getOrDefault("max-lag", List.of())) {
      maxLags.add(bytes(v));
    }
    List<String> syncs = new ArrayList<>();
    for (String v : axes.getOrDefault("sync", List.of())) {
      try {
        syncs.add(io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode.parse(v).word());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--matrix: sync: " + e.getMessage(), e);
      }
    }
    List<String> bugs = new ArrayList<>();
    for (String v : axes.getOrDefault("bug", List.of())) {
      if (!v.equals("none") && !knownBugs.contains(v)) {
        throw new IllegalArgumentException("--matrix: unknown planted bug \"" + v + "\" (none, "
            + String.join(", ", new TreeSet<>(knownBugs)) + ")");
      }
      bugs.add(v.equals("none") ? null : v);
    }
    List<Path> schedules = new ArrayList<>();
    for (String v : axes.getOrDefault("schedule", List.of())) {
      schedules.add(Path.of(v));
    }

    List<Cell> out = new ArrayList<>();
    List<Integer> ns = replay ? java.util.Collections.singletonList(null) : nodes;
    List<Set<String>> ks = replay ? java.util.Collections.singletonList(null) : kinds;
    for (Integer n : ns) {
      for (Set<String> k : ks) {
        for (Integer ttl : orNull(ttls)) {
          for (Long lag : orNull(maxLags)) {
            for (String sync : orNull(syncs)) {
              for (String bug : orNull(bugs)) {
                for (Path schedule : orNull(schedules)) {
                  out.add(new Cell(target, n, k, ttl, lag, sync, bug, schedule, schedule != null ? 1 : perCell));
                }
              }
            }
          }
        }
      }
    }
    return out;
  }

  /** The kinds of one {@code kinds} value: {@code all}, one kind, or kinds joined with '+'. */
  static Set<String> kinds(String v) {
    if (v.equals("all")) {
      return new LinkedHashSet<>(ALL_KINDS);
    }
    Set<String> out = new LinkedHashSet<>();
    for (String k : v.split("\\+")) {
      String kind = k.trim();
      if (!ScheduleJson.kinds().contains(kind)) {
        throw new IllegalArgumentException("--matrix: unknown fault kind \"" + kind + "\" (all, "
            + String.join(", ", ALL_KINDS) + ")");
      }
      out.add(kind);
    }
    return out;
  }

  private static <T> List<T> orNull(List<T> values) {
    return values.isEmpty() ? java.util.Collections.singletonList(null) : values;
  }

  private static String one(Map<String, List<String>> axes, String axis, String dflt) {
    List<String> v = axes.get(axis);
    if (v == null) {
      return dflt;
    }
    if (v.size() != 1) {
      throw new IllegalArgumentException("--matrix: " + axis + " takes one value per part, got " + v
          + " (give another --matrix for each)");
    }
    return v.get(0);
  }

  private static int count(String axis, String v) {
    try {
      int n = Integer.parseInt(v);
      if (n < 1 || n > 10_000) {
        throw new IllegalArgumentException("--matrix: " + axis + " must be between 1 and 10000, got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--matrix: " + axis + " must be a whole number, got \"" + v + "\"");
    }
  }

  private static long bytes(String v) {
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw new IllegalArgumentException("--matrix: max-lag must not be negative, got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--matrix: max-lag must be a number of bytes, got \"" + v + "\"");
    }
  }
}
