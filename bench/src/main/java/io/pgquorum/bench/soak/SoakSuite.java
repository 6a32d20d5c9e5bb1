package io.pgquorum.bench.soak;

import io.pgquorum.bench.BenchContext;
import io.pgquorum.bench.Suite;
import io.pgquorum.bench.failover.FailoverTrial;
import io.pgquorum.bench.failover.HaCluster;
import io.pgquorum.bench.failover.MetricsScrape;
import io.pgquorum.bench.failover.Variant;
import io.pgquorum.bench.report.Result;
import io.pgquorum.bench.report.Summary;
import io.pgquorum.bench.sync.Pgbench;
import io.pgquorum.bench.sync.PgbenchOutput;
import io.pgquorum.bench.sync.SyncSuite.LoadAverage;
import io.pgquorum.coordinator.metrics.NodeMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 15's soak: no spurious failover on a loaded machine. Each system at its defaults (or the variants
 * {@link #VARIANTS} names), one after the other: a
 * healthy three-node cluster, every core kept busy by a CPU hog (one busy shell loop per core, at the cluster's own
 * priority) and a pgbench write load on the primary (4 clients), for 30 minutes per system ({@code --quick}: 3;
 * {@code PGQUORUM_BENCH_SOAK_MINUTES} sets it). Nothing is killed, paused or cut, so every change of primary and
 * every promotion in that time is spurious ({@link PrimaryWatch}). Run it by name only: {@code bench/run.sh --only
 * soak} (an hour of the machine).
 *
 * <p>Samples every {@link #SAMPLE_MS} ms: which node answers 200 on {@code GET /primary} (both systems' REST API,
 * asked by the bench directly) and that node's timeline (from the WAL file name of its current insert position,
 * on a connection the bench keeps to it). pgbench is restarted against whichever node is primary when it ends
 * early (its server stopped taking writes); the restarts are counted too.
 */
public final class SoakSuite implements Suite {
  static final String SUITE = "soak";
  static final String CONFIG = "3 nodes, CPU saturated + pgbench";
  static final long SAMPLE_MS = 500;
  private static final String ROLE = "bench_soak";
  private static final int CLIENTS = 4;
  /** The environment variable naming the variants to soak ({@link #variants}). */
  static final String VARIANTS = "PGQUORUM_BENCH_SOAK_VARIANTS";

  @Override
  public String name() {
    return SUITE;
  }

  @Override
  public String description() {
    return "spurious failovers and promotions under a CPU hog plus a pgbench write load, 30 min per system";
  }

  @Override
  public boolean onlyWhenNamed() {
    return true;
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    String minutes = System.getenv("PGQUORUM_BENCH_SOAK_MINUTES");
    Duration length = minutes != null && !minutes.isBlank() ? Duration.ofMinutes(Long.parseLong(minutes.trim()))
        : ctx.pick(Duration.ofMinutes(3), Duration.ofMinutes(30));
    for (Variant v : variants(System.getenv(VARIANTS))) {
      if (v.system().equals(Result.PATRONI) && !(ctx.tools().hasPatroni() && ctx.tools().hasEtcd())) {
        ctx.results().skipped("soak: Patroni + etcd", "Patroni or etcd is not installed (apt-get install patroni "
            + "etcd-server)");
        continue;
      }
      soak(ctx, v, length);
    }
  }

  /**
   * The variants to soak, in order, from {@link #VARIANTS} (a comma-separated list of {@code pgquorum-defaults},
   * {@code pgquorum-aggressive}, {@code patroni-defaults}, {@code patroni-aggressive}, or pgquorum at given whole
   * seconds as {@code pgquorum:TTL/LOOP_WAIT/RETRY_TIMEOUT}); unset or blank: each system at
   * its defaults. Why a choice: the soak is what picks pgquorum's default ttl (issue 15), so a candidate setting is
   * soaked before it becomes the default, without spending another half hour on the other system.
   */
  static List<Variant> variants(String spec) {
    return Variant.parseList(VARIANTS, spec, "pgquorum-defaults,patroni-defaults");
  }

  private void soak(BenchContext ctx, Variant v, Duration length) throws Exception {
    ctx.progress("soak: starting " + v);
    Path dir = ctx.scratchDir("soak-" + v.system().replace('+', '-'));
    try (HaCluster c = v.start(ctx.tools(), dir)) {
      Pgbench pgbench = Pgbench.onPrimary(ctx.tools().pgBin(), dir.resolve("pgbench"), c, ROLE);
      pgbench.init(4);
      String loadBefore = LoadAverage.read();
      boolean pgquorum = c.system().equals(Result.PGQUORUM);
      double termBefore = pgquorum ? highestRaftTerm(c) : Double.NaN;
      double termAfter = Double.NaN;
      long start = System.nanoTime();
      long end = start + length.toNanos();
      PrimaryWatch watch = new PrimaryWatch();
      AtomicInteger restarts = new AtomicInteger();
      AtomicLong processed = new AtomicLong();
      List<Process> hogs = startHogs(length.plusMinutes(2));
      Map<String, Double> headroom = Map.of();
      Thread load = new Thread(() -> loadUntil(ctx, c, pgbench, end, restarts, processed), "soak-pgbench");
      try {
        load.start();
        ctx.progress("soak: " + c.system() + ": " + hogs.size() + " CPU hogs and pgbench -c " + CLIENTS + " for "
            + length.toMinutes() + " min");
        observe(c, watch, end);
        if (pgquorum) {
          headroom = LeaseHeadroom.read(c); // under the load, before the hogs stop: nothing after the window counts
          termAfter = highestRaftTerm(c);
        }
      } finally {
        hogs.forEach(SoakSuite::stopHog);
        load.join(Duration.ofMinutes(7).toMillis());
      }
      watch.finish(System.nanoTime());
      if (!watch.sawTimeline()) {
        throw new IllegalStateException(c.system() + ": the soak never read a primary's timeline (" + watch.samples()
            + " samples): it proves nothing");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Map<String, String> notes = new LinkedHashMap<>(c.settings());
      notes.put("load", hogs.size() + " busy shell loops (one per core) at the cluster's priority, and pgbench -c "
          + CLIENTS + " (TPC-B-like, scale 4) against the primary, restarted against the new primary if one "
          + "appeared (" + restarts.get() + " restarts)");
      notes.put("load average (1/5/15 min)", "before " + loadBefore + ", at the end " + LoadAverage.read());
      notes.put("window", String.format(Locale.ROOT, "%.0f s, sampled every %d ms (%d samples, %d without a single "
          + "primary)", seconds, SAMPLE_MS, watch.samples(), watch.samplesWithoutPrimary()));
      notes.put("pgbench", String.format(Locale.ROOT, "%d transactions in %.0f s (%.0f tps)", processed.get(),
          seconds, processed.get() / seconds));
      record(ctx, v, "spurious-primary-changes", "changes", watch.primaryChanges(), notes);
      record(ctx, v, "spurious-promotions", "promotions", watch.promotions(), notes);
      record(ctx, v, "time-without-primary", "s", watch.secondsWithoutPrimary(), notes);
      if (pgquorum) {
        // Each new term is an election: a DCS leader change the load caused (a paused leader stepping down), or
        // the hand-off that moves Raft leadership off the primary's node after one. Neither is a failover, but
        // each leaves the primary's refreshes unanswered for a while (2026-12-06: one at election_timeout 0.25
        // cost the lease 2.7 s of its 3).
        notes.put("raft terms", String.format(Locale.ROOT, "highest term %.0f at the start of the window, %.0f at "
            + "the end", termBefore, termAfter));
        record(ctx, v, "raft-elections", "elections", termAfter - termBefore, notes);
      }
      OptionalDouble lowest = LeaseHeadroom.lowest(headroom);
      if (lowest.isPresent()) {
        double validity = LeaseHeadroom.validitySeconds(v.timing());
        notes.put("lease headroom", "each node's " + LeaseHeadroom.GAUGE + " at the end of the window: "
            + LeaseHeadroom.describe(headroom) + "; the lease's validity (ttl - retry_timeout) is "
            + String.format(Locale.ROOT, "%.1f s", validity) + ", so the longest wait between confirmed refreshes "
            + "the primary lived through is the validity minus the lowest headroom");
        record(ctx, v, "lowest-lease-headroom", "s", true, lowest.getAsDouble(), notes);
        record(ctx, v, "longest-refresh-wait", "s", validity - lowest.getAsDouble(), notes);
      } else if (c.system().equals(Result.PGQUORUM)) {
        throw new IllegalStateException(c.system() + ": no node reported a confirmed lease refresh ("
            + LeaseHeadroom.describe(headroom) + "): the soak saw no primary keep its lease");
      }
    }
  }

  /** The highest Raft term any member reports on its {@code /metrics} ({@code pgquorum_raft_term}). */
  private static double highestRaftTerm(HaCluster c) {
    double highest = 0;
    for (int i = 0; i < c.size(); i++) {
      highest = Math.max(highest, MetricsScrape.required(c, i, NodeMetrics.RAFT_TERM, null));
    }
    return highest;
  }

  private static void record(BenchContext ctx, Variant v, String metric, String unit, double value,
      Map<String, String> notes) {
    record(ctx, v, metric, unit, false, value, notes);
  }

  private static void record(BenchContext ctx, Variant v, String metric, String unit, boolean higherIsBetter,
      double value, Map<String, String> notes) {
    ctx.record(new Result(SUITE, metric, CONFIG, v.system(), v.name(), unit, higherIsBetter,
        Summary.of(new double[] {value}), notes));
  }

  /**
   * Stops a hog and its busy shell. Both: {@code timeout} does not pass a SIGKILL on, so killing only the process
   * started here left the shell spinning for good (found after the soak of 2026-12-06, whose Patroni half ran with
   * the pgquorum half's two hogs still busy).
   */
  static void stopHog(Process hog) {
    List<ProcessHandle> shells = hog.descendants().toList();
    hog.destroyForcibly();
    shells.forEach(ProcessHandle::destroyForcibly);
  }

  /** One busy loop per core, each ending by itself after {@code bound} should the bench die first. */
  static List<Process> startHogs(Duration bound) throws IOException {
    List<Process> hogs = new ArrayList<>();
    for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
      hogs.add(new ProcessBuilder("timeout", Long.toString(bound.toSeconds()), "sh", "-c", "while :; do :; done")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }
    return hogs;
  }

  /** pgbench against the primary until {@code end}, restarted against the primary of the moment when it ends early. */
  private static void loadUntil(BenchContext ctx, HaCluster c, Pgbench pgbench, long end, AtomicInteger restarts,
      AtomicLong processed) {
    int round = 0;
    while (System.nanoTime() < end - 1_000_000_000L) {
      int p = c.primary();
      if (p < 0) {
        if (!FailoverTrial.pause(200)) {
          return;
        }
        continue;
      }
      Duration left = Duration.ofNanos(end - System.nanoTime());
      try {
        PgbenchOutput.Summary s = pgbench.at(c.postgresEndpoint(p)).load("run-" + round++, CLIENTS, left);
        processed.addAndGet(s.processed());
      } catch (IOException e) {
        restarts.incrementAndGet();
        ctx.progress("soak: " + c.system() + ": pgbench ended early on node " + c.name(p) + ": "
            + firstLine(e.getMessage()));
        if (!FailoverTrial.pause(500)) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Samples the cluster every SAMPLE_MS until {@code end}. */
  private static void observe(HaCluster c, PrimaryWatch watch, long end) throws InterruptedException {
    Connection conn = null;
    int connectedTo = -1;
    try {
      while (System.nanoTime() < end) {
        long t = System.nanoTime();
        int p = c.primary();
        long timeline = -1;
        if (p >= 0) {
          try {
            if (conn == null || connectedTo != p) {
              FailoverTrial.close(conn);
              conn = c.connect(p, 2, 5);
              connectedTo = p;
            }
            timeline = timeline(conn);
          } catch (SQLException e) {
            FailoverTrial.close(conn);
            conn = null;
          }
        }
        watch.sample(t, p, timeline);
        long sleep = SAMPLE_MS - (System.nanoTime() - t) / 1_000_000;
        if (sleep > 0) {
          Thread.sleep(sleep); // the sampling interval
        }
      }
    } finally {
      FailoverTrial.close(conn);
    }
  }

  /** The timeline of the server's current WAL insert position (a primary's own timeline). */
  static long timeline(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement();
        ResultSet r = st.executeQuery("SELECT pg_walfile_name(pg_current_wal_lsn())")) {
      r.next();
      return Long.parseLong(r.getString(1).substring(0, 8), 16);
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
