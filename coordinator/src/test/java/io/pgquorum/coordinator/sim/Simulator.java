package io.pgquorum.coordinator.sim;

import io.pgquorum.dcs.planted.PlantedBug;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The deterministic simulator, after FoundationDB's simulation and TigerBeetle's VOPR: a seed determines a schedule
 * (a program in the {@link Interaction} language: cluster size, clock rates within and, for one schedule in ten,
 * beyond the drift bound, execution timings, then faults: PostgreSQL kills, daemon kills, clean restarts, pauses,
 * partitions, clock-rate changes, separated by waits) and the execution (task durations, cycle jitter, lost DCS
 * replies, from the seed in the {@code options} line). The {@link History} checkers run on every step; at the end
 * every fault is healed and the cluster must recover within a bound and then stay stable.
 *
 * <p>A failing schedule is shrunk ({@link #shrink}) by deleting commands and shortening waits while it still fails
 * the same way, and printed as a transcript that replays in {@code InteractionTest}.
 */
final class Simulator {
  /** Recovery bound after the last fault healed: two lease expiries plus start-ups, generously. */
  static final String RECOVERY = "60s";
  static final String QUIET = "20s";

  /** The outcome of one schedule. */
  record Result(long seed, List<String> program, List<String> violations, List<String> expectedBeyondBound,
      List<String> knownFindings,
      int writes, int promotions, long virtualNanos) {
    boolean failed() {
      return !violations.isEmpty();
    }

    /** The first violation without its time: what a shrink must preserve. */
    String kind() {
      if (violations.isEmpty()) {
        return "";
      }
      String v = violations.get(0);
      String what = v.substring(v.indexOf(' ') + 1);
      int colon = what.indexOf(':');
      return colon < 0 ? what : what.substring(0, colon);
    }
  }

  private Simulator() {}

  /** The schedule of {@code seed}, with {@code bugs} planted. */
  static List<String> generate(long seed, List<PlantedBug> bugs) {
    SplittableRandom r = new SplittableRandom(seed);
    List<String> p = new ArrayList<>();
    int n = r.nextInt(10) < 8 ? 3 : 5;
    boolean beyond = r.nextInt(10) == 0;
    // wake=keys: replicas wake on the keys the real loop watches (SimOptions.wakeOnKeys).
    StringBuilder opts = new StringBuilder("options seed=" + r.nextLong(1L << 40) + " wake=keys");
    if (r.nextInt(3) == 0) {
      // Fast promotions: a replica takes over within milliseconds of the expiry, where a thin lease margin shows.
      opts.append(" tasks=1ms..").append(r.nextInt(2, 50)).append("ms");
    } else {
      opts.append(" tasks=").append(r.nextInt(5, 200)).append("ms..").append(r.nextInt(200, 3000)).append("ms");
    }
    opts.append(" guard-delay=").append(r.nextInt(0, 300)).append("ms");
    opts.append(" jitter=").append(r.nextInt(0, 100)).append("ms");
    int replicationTick = r.nextInt(10, 1000);
    int writeTick = r.nextInt(50, 200);
    opts.append(" replication-tick=").append(replicationTick).append("ms");
    opts.append(" write-tick=").append(writeTick).append("ms");
    if (beyond) {
      opts.append(" beyond-drift-bound=true");
    }
    String sync = syncOptions(seed, n, replicationTick, writeTick);
    opts.append(sync);
    for (PlantedBug b : bugs) {
      opts.append(" bug=").append(b.id());
    }
    p.add(opts.toString());
    p.add("add-nodes " + n);
    for (int i = 1; i <= n; i++) {
      p.add("drift " + i + " " + rate(r, beyond));
    }
    p.add("drift dcs " + rate(r, beyond));
    p.add("stabilize 60s");
    // Lost DCS replies in one schedule in four, from the bootstrap on in half of those (a lost reply to the
    // bootstrap's initialize write was a real bug: regression_bootstrap_lost_initialize_reply.txt).
    if (r.nextInt(4) == 0) {
      if (r.nextBoolean()) {
        p.add(p.indexOf("add-nodes " + n), "options lost-replies=0.02");
      } else {
        p.add("options lost-replies=0.02");
      }
    }
    syncStandbyLoss(seed, sync, p);
    dcsPartitions(seed, n, p);
    int faults = r.nextInt(1, 9);
    for (int f = 0; f < faults; f++) {
      int i = r.nextInt(1, n + 1);
      switch (r.nextInt(11)) {
        case 0 -> p.add("kill-postgres " + i);
        case 1 -> p.add("kill-daemon " + i);
        case 2 -> p.add("start-daemon " + i);
        case 3 -> p.add("restart-daemon " + i);
        case 4 -> p.add("pause-daemon " + i);
        case 5 -> p.add("resume-daemon " + i);
        case 6, 7 -> p.add(partition(r, n));
        case 8 -> p.add("heal");
        case 9 -> p.add("drift " + i + " " + rate(r, beyond));
        default -> p.add("stop-daemon " + i);
      }
      p.add("advance " + (r.nextInt(4) == 0 ? r.nextInt(0, 500) + "ms" : r.nextInt(1, 16) + "s"));
    }
    p.add("heal");
    for (int i = 1; i <= n; i++) {
      p.add("resume-daemon " + i);
      p.add("start-daemon " + i);
    }
    p.add("check-recovery " + RECOVERY);
    p.add("check-stable " + QUIET);
    return p;
  }

  /**
   * The synchronous replication of the schedule: off in two in five, else on, quorum or either strict, with
   * synchronous_node_count 2 now and then in a cluster of five, and in half of them standbys that catch up at a
   * limited rate (2 to 4 times the write rate: a reconnecting standby lags for a while, yet always catches up). From
   * a generator of its own, so that the rest of every seed's schedule is what it was before sync modes were drawn.
   */
  private static String syncOptions(long seed, int n, int replicationTick, int writeTick) {
    SplittableRandom s = new SplittableRandom(seed ^ 0x53594e43L);
    int pick = s.nextInt(10);
    if (pick < 4) {
      return "";
    }
    StringBuilder o = new StringBuilder(pick < 6 ? " sync=on" : pick < 8 ? " sync=quorum"
        : s.nextBoolean() ? " sync=on strict=true" : " sync=quorum strict=true");
    if (n == 5 && s.nextInt(3) == 0) {
      o.append(" sync-nodes=2");
    }
    if (s.nextBoolean()) {
      int perTick = (replicationTick + writeTick - 1) / writeTick;
      o.append(" catch-up=").append(perTick * s.nextInt(2, 5) + 1);
    }
    return o.toString();
  }

  /**
   * In one synchronous schedule in three: the synchronous standby's PostgreSQL dies, and the primary's node crashes
   * (daemon and PostgreSQL) from a moment later up to a few seconds later. This hits the window in which the
   * primary replaces its synchronous standby, where the ordering of the sync key against synchronous_standby_names
   * and the standby's catch-up decides whether an acknowledged commit survives (a standby named too early lacks the
   * commits only the lost one had). Random faults rarely line up this way. From a generator of its own, like
   * {@link #syncOptions}, so the other schedules stay what they were.
   */
  private static void syncStandbyLoss(long seed, String sync, List<String> p) {
    SplittableRandom s = new SplittableRandom(seed ^ 0x4c4f5353L);
    if (sync.isEmpty() || s.nextInt(3) != 0) {
      return;
    }
    p.add("kill-postgres sync-standby");
    p.add("advance " + s.nextInt(0, 3000) + "ms");
    p.add("kill-daemon primary");
    p.add("kill-postgres primary");
    p.add("advance " + s.nextInt(1, 16) + "s");
  }

  /**
   * In one schedule in four: partitions of the DCS's links alone (Raft blocked, REST and replication through), the
   * primary's node cut off from the others in most of them, with failsafe mode on in half of those schedules, where
   * such a primary keeps running on its members' promises; without it, it must demote before a replica takes over.
   * From a generator of its own, like {@link #syncOptions}, so the other schedules stay what they were.
   */
  private static void dcsPartitions(long seed, int n, List<String> p) {
    SplittableRandom s = new SplittableRandom(seed ^ 0x44435350L);
    if (s.nextInt(4) != 0) {
      return;
    }
    if (s.nextBoolean()) {
      p.set(0, p.get(0) + " failsafe=on");
    }
    for (int k = s.nextInt(1, 3); k > 0; k--) {
      p.add(s.nextInt(3) > 0 ? "partition-dcs primary"
          : "partition-dcs" + partition(s, n).substring("partition".length()));
      p.add("advance " + s.nextInt(1, 25) + "s");
      if (s.nextBoolean()) {
        p.add("heal");
        p.add("advance " + s.nextInt(0, 5000) + "ms");
      }
    }
  }

  /** A clock rate: mostly at the edges of [1-rho, 1+rho] (where the lease margin is thinnest), or beyond. */
  private static String rate(SplittableRandom r, boolean beyond) {
    double rho = 0.05;
    double x;
    if (beyond && r.nextInt(3) == 0) {
      x = r.nextBoolean() ? 1 + rho + r.nextDouble(0.01, 0.3) : 1 - rho - r.nextDouble(0.01, 0.3);
    } else {
      int pick = r.nextInt(4);
      x = pick == 0 ? 1 - rho : pick == 1 ? 1 + rho : 1 - rho + r.nextDouble(2 * rho);
    }
    return String.format(Locale.ROOT, "%.4f", x);
  }

  private static String partition(SplittableRandom r, int n) {
    List<Integer> a = new ArrayList<>();
    List<Integer> b = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      (r.nextBoolean() ? a : b).add(i);
    }
    if (a.isEmpty() || b.isEmpty()) {
      a.clear();
      b.clear();
      int alone = r.nextInt(1, n + 1);
      for (int i = 1; i <= n; i++) {
        (i == alone ? a : b).add(i);
      }
    }
    StringBuilder s = new StringBuilder("partition");
    a.forEach(i -> s.append(' ').append(i));
    s.append(" |");
    b.forEach(i -> s.append(' ').append(i));
    return s.toString();
  }

  /** Runs {@code program}; stops at the first violation. {@code transcript}: collect the output of every command. */
  static Result run(long seed, List<String> program, StringBuilder transcript) {
    try (Interaction sim = new Interaction(new SimOptions(), transcript != null)) {
      for (String line : program) {
        String out = sim.run(line);
        if (transcript != null) {
          transcript.append(line).append("\n----\n").append(DataDrivenText.block(out)).append('\n');
        }
        if (sim.cluster() != null) {
          sim.cluster().history.stopOnViolation = true;
          if (!sim.cluster().history.violations().isEmpty()) {
            break;
          }
        }
      }
      SimCluster c = sim.cluster();
      return new Result(seed, program, List.copyOf(c.history.violations()),
          List.copyOf(c.history.expectedBeyondBound()), List.copyOf(c.history.knownFindings()),
          c.history.writes(), c.history.promotions(), c.time.now());
    }
  }

  static Result run(long seed, List<PlantedBug> bugs) {
    return run(seed, generate(seed, bugs), null);
  }

  /**
   * The smallest program found that still fails with the same kind of violation: delta debugging over the commands
   * between the cluster's start and the final heal (chunks, then single commands), then shorter waits.
   */
  static List<String> shrink(Result failed) {
    String kind = failed.kind();
    List<String> best = new ArrayList<>(failed.program());
    int head = best.indexOf(best.stream().filter(l -> l.startsWith("stabilize")).findFirst().orElseThrow()) + 1;
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int chunk = Math.max(1, (lastHeal(best) - head) / 2); chunk >= 1; chunk /= 2) {
        for (int at = head; at + chunk <= lastHeal(best); ) {
          List<String> candidate = new ArrayList<>(best);
          candidate.subList(at, at + chunk).clear();
          if (stillFails(failed.seed(), candidate, kind)) {
            best = candidate;
            progress = true;
          } else {
            at += chunk;
          }
        }
      }
      for (int i = head; i < best.size(); i++) {
        String line = best.get(i);
        if (line.startsWith("advance ")) {
          long d = Interaction.duration(line.substring(8));
          if (d >= 2 * SimOptions.MS) {
            List<String> candidate = new ArrayList<>(best);
            candidate.set(i, "advance " + (d / 2 / SimOptions.MS) + "ms");
            if (stillFails(failed.seed(), candidate, kind)) {
              best = candidate;
              progress = true;
            }
          }
        }
      }
    }
    return best;
  }

  private static int lastHeal(List<String> program) {
    return program.lastIndexOf("heal");
  }

  private static boolean stillFails(long seed, List<String> program, String kind) {
    Result r = run(seed, program, null);
    return r.failed() && r.kind().equals(kind);
  }

  /** The transcript of {@code program}, as InteractionTest replays it, headed by a comment naming the seed. */
  static String transcript(Result failed, List<String> program) {
    StringBuilder b = new StringBuilder();
    b.append("# Found by the simulator: seed ").append(failed.seed()).append(", shrunk from ")
        .append(failed.program().size()).append(" to ").append(program.size()).append(" commands.\n")
        .append("# First violation: ").append(failed.violations().get(0)).append("\n");
    run(failed.seed(), program, b);
    return b.toString();
  }
}
