package io.pgquorum.jepsen.runner;

import io.pgquorum.coordinator.ha.HaBug;
import io.pgquorum.coordinator.postgres.PgBug;
import io.pgquorum.dcs.planted.DcsBug;
import io.pgquorum.jepsen.campaign.Matrix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The command line of {@code bin/jepsen-run}, parsed strictly: an unknown option or a bad value is a
 * {@link UsageException} that names it.
 *
 * @param matrix the {@code --matrix} parts (each a list of {@code AXIS=VALUES} words); empty for a plain run
 * @param schedulesPerCell {@code --schedules-per-cell}
 * @param maxUnknown trials allowed to end UNKNOWN before the run fails
 * @param ttl {@code --ttl} (stack), or null for the default
 * @param maxLag {@code --maximum-lag-on-failover} (stack), or null for the default
 * @param sync {@code --synchronous-mode} (stack), or null for the default (off)
 * @param failsafe {@code --failsafe-mode} (stack), or null for the default (off)
 */
record RunOptions(String target, Long seed, int schedules, Path scheduleFile, int nodes, Path out, String network,
    String plantedBug, Set<String> kinds, int shrinkAttempts, String nodeUser, List<List<String>> matrix,
    int schedulesPerCell, int maxUnknown, Integer ttl, Long maxLag, String sync, Boolean failsafe) {

  /** The planted bugs a stack run accepts (the coordinator's). */
  static final Set<String> BUGS = bugIds();
  /** The DCS's planted bugs (for --target dcs). */
  static final Set<String> DCS_BUGS = dcsBugIds();

  /** The issue-10 long campaign: 204 DCS schedules on 3 and 5 members, 42 full-stack ones, every fault kind. */
  static final List<List<String>> PRESET_LONG = List.of(
      List.of("target=dcs", "nodes=3,5", "kinds=" + String.join(",", Matrix.ALL_KINDS), "per-cell=17"),
      List.of("target=stack", "nodes=3", "kinds=" + String.join(",", Matrix.ALL_KINDS), "per-cell=7"));
  /**
   * Issue 14's campaign: 108 full-stack schedules under synchronous replication, six per fault kind in each of on,
   * quorum and strict mode, where the durability checker allows no loss at all.
   */
  static final List<List<String>> PRESET_SYNC = List.of(
      List.of("target=stack", "nodes=3", "kinds=" + String.join(",", Matrix.ALL_KINDS), "sync=on,quorum,strict",
          "per-cell=6"));
  /** A few minutes: one schedule per fault kind on each target. */
  static final List<List<String>> PRESET_SMOKE = List.of(
      List.of("target=dcs", "nodes=3", "kinds=" + String.join(",", Matrix.ALL_KINDS), "per-cell=1"),
      List.of("target=stack", "nodes=3", "kinds=partition,kill", "per-cell=1"));

  static final String USAGE = """
      usage: bin/jepsen-run [options]
        --target stack|dcs     full stack (daemons + PostgreSQL, default) or the DCS alone (Raft members)
        --seed N               generate schedules from seed N on (default: a random seed, printed)
        --schedules K          run K seeds: N, N+1, ... (default 1)
        --schedule FILE        replay a saved schedule (JSON) instead of generating one
        --kinds a,b,...        fault kinds to generate: %s
        --nodes N              cluster size for generated schedules (default 3)
        --network proxy|netns  stack only: loopback proxies (no root, default) or one network namespace per node
                               (root; daemons run as --user)
        --user NAME            netns only: the unprivileged user the daemons run as (PostgreSQL refuses root)
        --ttl SECONDS          stack only: the lease ttl (default 8; loop_wait 1, retry_timeout 2, 1 for ttl 4)
        --maximum-lag-on-failover BYTES
                               stack only: maximum_lag_on_failover (default 1048576)
        --synchronous-mode off|on|quorum|strict
                               stack only: synchronous_mode (strict: on with synchronous_mode_strict); under
                               synchronous replication the durability checker allows no lost write at all
        --failsafe-mode on|off stack only: failsafe_mode (default off): a primary cut off from the DCS keeps running
                               while every member answers it directly
        --planted-bug NAME     start daemons (stack) or DCS members and clients (dcs) with PGQUORUM_PLANTED_BUG=NAME
                               to see a property go red; stack: %s; dcs: %s
        --shrink N             on failure, shrink the schedule with up to N more runs (keeping the same checker's
                               failure) and save the minimal one
        --max-unknown N        trials allowed to end UNKNOWN (a checker could not decide) before the run fails
                               (default 0: UNKNOWN is never a pass; the count is always reported)
        --out DIR              where runs are written (default: jepsen-runs/ in the current directory)

      Campaigns (a matrix of cells, one aggregate report):
        --matrix AXIS=V1,V2 [AXIS=...]   one part of the matrix; repeat --matrix for more parts. Axes:
                 target=stack|dcs        (one per part; default --target)
                 nodes=3,5               cluster sizes
                 kinds=partition,kill+pause,all   one cell per value ('+' joins kinds, all = every kind)
                 ttl=4,8  max-lag=BYTES,...  sync=off,on,quorum,strict  bug=none,ID,...   (stack only;
                                         override --ttl, --maximum-lag-on-failover, --synchronous-mode,
                                         --planted-bug; none = the option's value)
                 schedule=FILE,...       replay saved schedules (one trial per file)
                 per-cell=K              schedules per cell for this part
        --schedules-per-cell K  generated schedules per cell (default 1); cells use seeds N..N+K-1
        --preset long|sync|smoke  a named matrix: long = 204 DCS schedules (3 and 5 members) + 42 full-stack ones,
                                every fault kind; sync = 108 full-stack ones in on, quorum and strict mode,
                                every fault kind; smoke = one per kind on the DCS, two on the stack
      Example: bin/jepsen-run --matrix target=stack ttl=4,8 kinds=partition,kill,pause nodes=3 \\
                 --schedules-per-cell 5 --out my-campaign
      A failing or erroring trial never stops a campaign: it is recorded (shrunk with --shrink) and reported.

      Each trial writes DIR/[<cell>/]<schedule>/history.jsonl, schedule.json, report.html and the nodes' logs;
      every run writes DIR/campaign.html and DIR/campaign.json (verdicts per checker and cell, availability and
      recovery figures, acknowledged writes lost, links to each report, the commands that replay each trial).
      Exit status: 0 every trial passed (UNKNOWN ones within --max-unknown), 1 a trial failed or too many were
      UNKNOWN, 2 bad usage or a trial could not be run."""
        .formatted(String.join(",", Matrix.ALL_KINDS), String.join(", ", new TreeSet<>(bugIds())),
            String.join(", ", new TreeSet<>(dcsBugIds())));

  /** Bad command line. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  private static Set<String> dcsBugIds() {
    Set<String> ids = new TreeSet<>();
    Arrays.stream(DcsBug.values()).forEach(b -> ids.add(b.id()));
    return Set.copyOf(ids);
  }

  private static Set<String> bugIds() {
    Set<String> ids = new TreeSet<>();
    Arrays.stream(HaBug.values()).forEach(b -> ids.add(b.id()));
    // PostgreSQL-layer bugs reach the daemons through the same seam (PGQUORUM_PLANTED_BUG with the opt-in).
    Arrays.stream(PgBug.values()).forEach(b -> ids.add(b.id()));
    return Set.copyOf(ids);
  }

  static RunOptions parse(String[] args) throws UsageException {
    String target = "stack";
    Long seed = null;
    Integer schedules = null;
    Path scheduleFile = null;
    Integer nodes = null;
    Path out = Path.of("jepsen-runs");
    String network = "proxy";
    String plantedBug = null;
    Set<String> kinds = null;
    int shrink = 0;
    String user = null;
    List<List<String>> matrix = new ArrayList<>();
    Integer perCell = null;
    int maxUnknown = 0;
    Integer ttl = null;
    Long maxLag = null;
    String sync = null;
    Boolean failsafe = null;
    String preset = null;
    List<String> a = new ArrayList<>(List.of(args));
    for (int i = 0; i < a.size(); i++) {
      String opt = a.get(i);
      if (opt.equals("--help") || opt.equals("-h")) {
        throw new UsageException("");
      }
      if (!opt.startsWith("--")) {
        throw new UsageException("unexpected argument \"" + opt + "\"");
      }
      if (i + 1 >= a.size() || a.get(i + 1).startsWith("--")) {
        throw new UsageException("option " + opt + " needs a value");
      }
      String v = a.get(++i);
      switch (opt) {
        case "--target" -> {
          target = v.toLowerCase(Locale.ROOT);
          if (!target.equals("stack") && !target.equals("dcs")) {
            throw new UsageException("--target must be stack or dcs, got \"" + v + "\"");
          }
        }
        case "--seed" -> seed = number(opt, v);
        case "--schedules" -> schedules = positive(opt, v);
        case "--schedule" -> scheduleFile = Path.of(v);
        case "--nodes" -> {
          nodes = positive(opt, v);
          if (nodes > 9) {
            throw new UsageException("--nodes must be between 1 and 9, got " + nodes);
          }
        }
        case "--out" -> out = Path.of(v);
        case "--network" -> {
          network = v.toLowerCase(Locale.ROOT);
          if (!network.equals("proxy") && !network.equals("netns")) {
            throw new UsageException("--network must be proxy or netns, got \"" + v + "\"");
          }
        }
        case "--user" -> user = v;
        case "--planted-bug" -> {
          if (!BUGS.contains(v) && !DCS_BUGS.contains(v)) {
            throw new UsageException("--planted-bug must be one of " + String.join(", ", new TreeSet<>(BUGS))
                + " (stack) or " + String.join(", ", new TreeSet<>(DCS_BUGS)) + " (dcs), got \"" + v + "\"");
          }
          plantedBug = v;
        }
        case "--kinds" -> {
          kinds = new LinkedHashSet<>();
          for (String k : v.split(",")) {
            String kind = k.trim();
            if (!Matrix.ALL_KINDS.contains(kind)) {
              throw new UsageException("--kinds: unknown fault kind \"" + kind + "\" (" + String.join(", ",
                  Matrix.ALL_KINDS) + ")");
            }
            kinds.add(kind);
          }
        }
        case "--shrink" -> shrink = (int) Math.min(Integer.MAX_VALUE, nonNegative(opt, v));
        case "--max-unknown" -> maxUnknown = (int) Math.min(Integer.MAX_VALUE, nonNegative(opt, v));
        case "--schedules-per-cell" -> perCell = positive(opt, v);
        case "--ttl" -> {
          long t = number(opt, v);
          if (t < 4 || t > 120) {
            throw new UsageException("--ttl must be between 4 and 120 seconds (pgquorum's minimum is 4), got " + t);
          }
          ttl = (int) t;
        }
        case "--maximum-lag-on-failover" -> maxLag = nonNegative(opt, v);
        case "--synchronous-mode" -> {
          try {
            sync = io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode.parse(v).word();
          } catch (IllegalArgumentException e) {
            throw new UsageException("--synchronous-mode must be off, on, quorum or strict, got \"" + v + "\"");
          }
        }
        case "--failsafe-mode" -> {
          if (!v.equals("on") && !v.equals("off")) {
            throw new UsageException("--failsafe-mode must be on or off, got \"" + v + "\"");
          }
          failsafe = v.equals("on");
        }
        case "--preset" -> {
          if (!v.equals("long") && !v.equals("sync") && !v.equals("smoke")) {
            throw new UsageException("--preset must be long, sync or smoke, got \"" + v + "\"");
          }
          preset = v;
        }
        case "--matrix" -> {
          List<String> part = new ArrayList<>();
          part.add(v);
          while (i + 1 < a.size() && !a.get(i + 1).startsWith("--")) {
            part.add(a.get(++i));
          }
          matrix.add(part);
        }
        default -> throw new UsageException("unknown option " + opt);
      }
    }
    if (preset != null) {
      if (!matrix.isEmpty()) {
        throw new UsageException("--preset is a matrix of its own; it cannot be combined with --matrix");
      }
      matrix.addAll(switch (preset) {
        case "long" -> PRESET_LONG;
        case "sync" -> PRESET_SYNC;
        default -> PRESET_SMOKE;
      });
    }
    boolean campaign = !matrix.isEmpty();
    if (campaign && (scheduleFile != null || schedules != null || nodes != null || kinds != null)) {
      throw new UsageException("--matrix (or --preset) takes cluster sizes, kinds and schedules from its axes; "
          + "drop --schedule, --schedules, --nodes and --kinds (use nodes=, kinds=, schedule= and "
          + "--schedules-per-cell)");
    }
    if (!campaign && perCell != null) {
      throw new UsageException("--schedules-per-cell applies to --matrix campaigns; use --schedules for a plain run");
    }
    if (plantedBug != null && DCS_BUGS.contains(plantedBug) != target.equals("dcs")) {
      throw new UsageException("--planted-bug " + plantedBug + " belongs to --target "
          + (target.equals("dcs") ? "stack" : "dcs"));
    }
    boolean stackOnly = (plantedBug != null && BUGS.contains(plantedBug)) || !network.equals("proxy")
        || ttl != null || maxLag != null || sync != null || failsafe != null;
    if (target.equals("dcs") && !campaign && stackOnly) {
      throw new UsageException("--planted-bug, --network, --ttl, --maximum-lag-on-failover, --synchronous-mode and "
          + "--failsafe-mode apply to --target stack only");
    }
    if (network.equals("netns") && user == null) {
      throw new UsageException("--network netns needs --user NAME (the daemons and PostgreSQL cannot run as root)");
    }
    if (scheduleFile != null && (seed != null || schedules != null)) {
      throw new UsageException("--schedule replays one saved schedule; it cannot be combined with --seed or "
          + "--schedules");
    }
    return new RunOptions(target, seed, schedules == null ? 1 : schedules, scheduleFile, nodes == null ? 3 : nodes,
        out, network, plantedBug, kinds, shrink, user, List.copyOf(matrix), perCell == null ? 1 : perCell,
        maxUnknown, ttl, maxLag, sync, failsafe);
  }

  private static long number(String opt, String v) throws UsageException {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new UsageException(opt + " must be a whole number, got \"" + v + "\"");
    }
  }

  private static long nonNegative(String opt, String v) throws UsageException {
    long n = number(opt, v);
    if (n < 0) {
      throw new UsageException(opt + " must not be negative, got " + n);
    }
    return n;
  }

  private static int positive(String opt, String v) throws UsageException {
    long n = number(opt, v);
    if (n < 1 || n > 10_000) {
      throw new UsageException(opt + " must be between 1 and 10000, got " + n);
    }
    return (int) n;
  }
}
