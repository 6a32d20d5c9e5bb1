package io.pgquorum.jepsen.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The command line of {@code bin/jepsen-run}, parsed strictly: an unknown option or a bad value is a
 * {@link UsageException} that names it.
 */
record RunOptions(String target, Long seed, int schedules, Path scheduleFile, int nodes, Path out, String network,
    String plantedBug, Set<String> kinds, int shrinkAttempts, String nodeUser) {

  static final String USAGE = """
      usage: bin/jepsen-run [options]
        --target stack|dcs     full stack (daemons + PostgreSQL, default) or the DCS alone (Raft members)
        --seed N               generate the schedule from seed N (default: a random seed, printed)
        --schedules K          run K seeds: N, N+1, ... (default 1)
        --schedule FILE        replay a saved schedule (JSON) instead of generating one
        --kinds a,b,...        fault kinds to generate: partition,kill,pause,clock-skew,packet-loss,delay
        --nodes N              cluster size for generated schedules (default 3)
        --network proxy|netns  stack only: loopback proxies (no root, default) or one network namespace per node
                               (root; daemons run as --user)
        --user NAME            netns only: the unprivileged user the daemons run as (PostgreSQL refuses root)
        --planted-bug NAME     start daemons (stack: skip-demote-on-lost-lease, lease-ignores-drift, no-watchdog)
                               or DCS members and clients (dcs: early-expiry, stale-read) with
                               PGQUORUM_PLANTED_BUG=NAME to see a property go red
        --shrink N             on failure, shrink the schedule with up to N more runs and save the minimal one
        --out DIR              where runs are written (default: jepsen-runs/ in the current directory)
      Each run writes DIR/<schedule>/history.jsonl, schedule.json, report.html and the nodes' logs.
      Exit status: 0 every property held, 1 a property failed, 2 bad usage or the run could not be made.""";

  /** Bad command line. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  static RunOptions parse(String[] args) throws UsageException {
    String target = "stack";
    Long seed = null;
    int schedules = 1;
    Path scheduleFile = null;
    int nodes = 3;
    Path out = Path.of("jepsen-runs");
    String network = "proxy";
    String plantedBug = null;
    Set<String> kinds = null;
    int shrink = 0;
    String user = null;
    List<String> a = new ArrayList<>(List.of(args));
    for (int i = 0; i < a.size(); i++) {
      String opt = a.get(i);
      if (opt.equals("--help") || opt.equals("-h")) {
        throw new UsageException("");
      }
      if (!opt.startsWith("--")) {
        throw new UsageException("unexpected argument \"" + opt + "\"");
      }
      if (i + 1 >= a.size()) {
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
        case "--nodes" -> nodes = positive(opt, v);
        case "--out" -> out = Path.of(v);
        case "--network" -> {
          network = v.toLowerCase(Locale.ROOT);
          if (!network.equals("proxy") && !network.equals("netns")) {
            throw new UsageException("--network must be proxy or netns, got \"" + v + "\"");
          }
        }
        case "--user" -> user = v;
        case "--planted-bug" -> {
          if (!Set.of("skip-demote-on-lost-lease", "lease-ignores-drift", "no-watchdog", "early-expiry",
              "stale-read").contains(v)) {
            throw new UsageException("--planted-bug must be skip-demote-on-lost-lease, lease-ignores-drift, "
                + "no-watchdog (stack), early-expiry or stale-read (dcs), got \"" + v + "\"");
          }
          plantedBug = v;
        }
        case "--kinds" -> {
          kinds = new LinkedHashSet<>();
          for (String k : v.split(",")) {
            String kind = k.trim();
            if (!Set.of("partition", "kill", "pause", "clock-skew", "packet-loss", "delay").contains(kind)) {
              throw new UsageException("--kinds: unknown fault kind \"" + kind + "\" (partition, kill, pause, "
                  + "clock-skew, packet-loss, delay)");
            }
            kinds.add(kind);
          }
        }
        case "--shrink" -> shrink = (int) Math.min(Integer.MAX_VALUE, number(opt, v));
        default -> throw new UsageException("unknown option " + opt);
      }
    }
    if (target.equals("dcs") && !network.equals("proxy")) {
      throw new UsageException("--network applies to --target stack only");
    }
    if (plantedBug != null && Set.of("early-expiry", "stale-read").contains(plantedBug) != target.equals("dcs")) {
      throw new UsageException("--planted-bug " + plantedBug + " belongs to --target "
          + (target.equals("dcs") ? "stack" : "dcs"));
    }
    if (network.equals("netns") && user == null) {
      throw new UsageException("--network netns needs --user NAME (the daemons and PostgreSQL cannot run as root)");
    }
    if (scheduleFile != null && (seed != null || schedules != 1)) {
      throw new UsageException("--schedule replays one saved schedule; it cannot be combined with --seed or "
          + "--schedules");
    }
    return new RunOptions(target, seed, schedules, scheduleFile, nodes, out, network, plantedBug, kinds, shrink,
        user);
  }

  private static long number(String opt, String v) throws UsageException {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new UsageException(opt + " must be a whole number, got \"" + v + "\"");
    }
  }

  private static int positive(String opt, String v) throws UsageException {
    long n = number(opt, v);
    if (n < 1 || n > 10_000) {
      throw new UsageException(opt + " must be between 1 and 10000, got " + n);
    }
    return (int) n;
  }
}
