package io.pgquorum.bench.sync;

import io.pgquorum.bench.BenchContext;
import io.pgquorum.bench.Suite;
import io.pgquorum.bench.failover.FailoverSuite;
import io.pgquorum.bench.failover.HaCluster;
import io.pgquorum.bench.failover.Variant;
import io.pgquorum.bench.report.Result;
import io.pgquorum.bench.report.Summary;
import io.pgquorum.jepsen.stack.PgClusterSpec.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What synchronous replication costs (issue 14): pgbench's throughput and per-transaction commit latency against
 * the primary of a three-node cluster in each replication mode, next to asynchronous replication on the same
 * cluster, then kill -9 failover time in {@code on} mode; pgquorum and Patroni + etcd at their defaults, one after
 * the other.
 *
 * <p>Each system runs one cluster, bootstrapped asynchronous, with pgbench's tables made once; the mode is switched
 * the operator's way ({@code PATCH /config}) and a mode is measured only once the primary's PostgreSQL replicates
 * in it ({@link io.pgquorum.bench.failover.SyncInEffect}), and it is checked all through each run
 * ({@link ModeWatch}): a run that was not in the mode it claims fails the suite instead of being recorded. The
 * failover trials reuse the failover suite's measurement ({@link FailoverSuite#measure}) on the same cluster,
 * switched to {@code on}.
 *
 * <p>Knobs (environment): {@code PGQUORUM_BENCH_SYNC_SECONDS} per pgbench run (10; 5 with --quick),
 * {@code PGQUORUM_BENCH_SYNC_CLIENTS} (4), {@code PGQUORUM_BENCH_SYNC_SCALE} (4), {@code PGQUORUM_BENCH_SYNC_ROUNDS}
 * pgbench runs per mode (3; 1 with --quick); --trials sets the kill -9 trials (3; 1 with --quick).
 */
public final class SyncSuite implements Suite {
  static final String SUITE = "sync";
  private static final String ROLE = "bench_pgbench";
  private static final Duration SETTLE = Duration.ofSeconds(90);

  @Override
  public String name() {
    return SUITE;
  }

  @Override
  public String description() {
    return "pgbench tps and commit latency per synchronous_mode against asynchronous, and kill -9 failover in on "
        + "mode (pgquorum vs Patroni + etcd)";
  }

  /** The suite's sizes. */
  record Settings(Duration duration, int clients, int scale, int rounds, int kills) {
    static Settings of(BenchContext ctx, Map<String, String> env) {
      return new Settings(Duration.ofSeconds(positive(env, "PGQUORUM_BENCH_SYNC_SECONDS", ctx.quick() ? 5 : 10)),
          positive(env, "PGQUORUM_BENCH_SYNC_CLIENTS", 4), positive(env, "PGQUORUM_BENCH_SYNC_SCALE", 4),
          positive(env, "PGQUORUM_BENCH_SYNC_ROUNDS", ctx.quick() ? 1 : 3), ctx.trialsOr(1, 3));
    }

    private static int positive(Map<String, String> env, String name, int fallback) {
      String v = env.get(name);
      if (v == null || v.isBlank()) {
        return fallback;
      }
      try {
        int n = Integer.parseInt(v.strip());
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(name + " must be a positive integer, got '" + v + "'");
    }

    String describe() {
      return "pgbench built-in TPC-B-like script, scale " + scale + ", " + clients + " clients (-j 1), "
          + duration.toSeconds() + " s per run, " + rounds + " run(s) per mode, against the primary directly";
    }
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Settings s = Settings.of(ctx, System.getenv());
    ctx.progress("sync: " + s.describe() + "; " + s.kills() + " kill -9 trial(s) per system in on mode; load "
        + LoadAverage.read());
    List<String> failed = new ArrayList<>();
    failed.addAll(measureSystem(ctx, s, Variant.pgquorumDefaults(3),
        List.of(SyncMode.OFF, SyncMode.ON, SyncMode.QUORUM, SyncMode.STRICT)));
    ctx.results().skipped("sync: Patroni synchronous_mode quorum", "Patroni added quorum mode in 4.0; "
        + ctx.tools().versions().getOrDefault("Patroni", "the installed Patroni") + " has none");
    if (ctx.tools().hasPatroni() && ctx.tools().hasEtcd()) {
      failed.addAll(measureSystem(ctx, s, Variant.patroniDefaults(3),
          List.of(SyncMode.OFF, SyncMode.ON, SyncMode.STRICT)));
    } else {
      ctx.results().skipped("sync: Patroni + etcd", "Patroni or etcd is not installed (apt-get install patroni "
          + "etcd-server)");
    }
    if (!failed.isEmpty()) {
      throw new IllegalStateException(failed.size() + " kill -9 trial(s) failed: " + String.join(" | ", failed));
    }
  }

  /**
   * pgbench in each mode on one cluster, then the kill -9 trials in on mode on it; returns the failed trials that fail
   * the suite ({@link FailoverSuite#judge}).
   */
  private static List<String> measureSystem(BenchContext ctx, Settings s, Variant async, List<SyncMode> modes)
      throws Exception {
    String dirName = (async.system().equals(Result.PGQUORUM) ? "pgq" : "patroni") + "-sync";
    ctx.progress("sync: starting " + async);
    // The cluster directly in its scratch directory: PostgreSQL's socket path (under the node directory for
    // Patroni) must stay within 107 bytes.
    HaCluster c = async.start(ctx.tools(), ctx.scratchDir(dirName));
    boolean handedOver = false;
    try {
      Pgbench pgbench = prepare(ctx, s, c, ctx.scratchDir(dirName + "-pgbench"));
      double asyncTps = Double.NaN;
      for (SyncMode mode : modes) {
        ModeSwitch.apply(c, mode, SETTLE);
        double tps = measureMode(ctx, s, c, pgbench, async.withSync(mode), mode);
        if (mode == SyncMode.OFF) {
          asyncTps = tps;
        } else if (!Double.isNaN(asyncTps)) {
          ctx.progress(String.format(Locale.ROOT, "sync: %s %s: %.2fx the asynchronous tps", c.system(),
              Variant.modeName(mode), tps / asyncTps));
        }
      }
      ModeSwitch.apply(c, SyncMode.ON, SETTLE);
      handedOver = true;
      List<String> failed = new ArrayList<>();
      Variant on = async.withSync(SyncMode.ON);
      for (String f : FailoverSuite.measure(ctx, SUITE, new FailoverSuite.Plan(on, s.kills(), 0), c)) {
        FailoverSuite.judge(ctx, on, f, failed);
      }
      return failed;
    } finally {
      if (!handedOver) {
        c.close();
      }
    }
  }

  /** A pgbench role with a password of the bench's (the same for both systems), and pgbench's tables. */
  private static Pgbench prepare(BenchContext ctx, Settings s, HaCluster c, Path dir) throws Exception {
    Pgbench pgbench = Pgbench.onPrimary(ctx.tools().pgBin(), dir, c, ROLE);
    ctx.progress("sync: " + c.system() + ": pgbench -i -s " + s.scale());
    pgbench.init(s.scale());
    return pgbench;
  }

  /** The rounds of one mode; records tps and latency and returns the median tps. */
  private static double measureMode(BenchContext ctx, Settings s, HaCluster c, Pgbench pgbench, Variant v,
      SyncMode mode) throws IOException, InterruptedException, SQLException {
    int primary = c.primary();
    String loadBefore = LoadAverage.read();
    List<Double> tps = new ArrayList<>();
    List<Double> latencies = new ArrayList<>();
    List<String> averages = new ArrayList<>();
    int polls = 0;
    for (int round = 1; round <= s.rounds(); round++) {
      Pgbench.Outcome out;
      ModeWatch.Verdict verdict;
      ModeWatch watch = new ModeWatch(c, primary, mode);
      try {
        out = pgbench.timed(mode.word() + "-" + round, s.clients(), s.duration());
      } finally {
        verdict = watch.finish();
      }
      if (!verdict.problems().isEmpty()) {
        throw new IllegalStateException(c.system() + ": " + Variant.modeName(mode) + " was not in effect during "
            + "pgbench run " + round + " (" + verdict.problems().size() + " of " + verdict.polls() + " polls): "
            + String.join("; ", verdict.problems()));
      }
      if (c.primary() != primary) {
        throw new IllegalStateException(c.system() + ": the primary changed during pgbench run " + round);
      }
      if (out.log().latenciesMs().size() != out.summary().processed()) {
        throw new IllegalStateException("pgbench run " + round + " reported " + out.summary().processed()
            + " transactions but logged " + out.log().latenciesMs().size());
      }
      polls += verdict.polls();
      tps.add(out.summary().tps());
      latencies.addAll(out.log().latenciesMs());
      averages.add(String.format(Locale.ROOT, "%.3f", out.summary().latencyAverageMs()));
      ctx.progress(String.format(Locale.ROOT, "sync: %s %s run %d: %.1f tps, latency average %.3f ms, %d failed "
          + "transactions (mode confirmed by %d polls)", c.system(), Variant.modeName(mode), round,
          out.summary().tps(), out.summary().latencyAverageMs(), out.summary().failed(), verdict.polls()));
    }
    String loadAfter = LoadAverage.read();
    Map<String, String> notes = new LinkedHashMap<>();
    notes.put("pgbench", s.describe());
    notes.put("load average (1/5/15 min)", "before " + loadBefore + ", after " + loadAfter + " (2 cores)");
    notes.put("replication mode", Variant.modeName(mode) + (mode == SyncMode.OFF ? ""
        : ", switched with PATCH /config and confirmed on the primary's PostgreSQL every "
            + ModeWatch.INTERVAL_MS + " ms during the runs (" + polls + " polls)"));
    notes.put("network", "replication and pgbench connect directly on 127.0.0.1");
    // Named explicitly for off too (the failover suite's config says nothing for asynchronous replication).
    String config = v.nodes() + " nodes, " + Variant.modeName(mode);
    ctx.record(new Result(SUITE, "pgbench-tps", config, c.system(), v.name(), "tps", true, Summary.of(tps),
        notes));
    Map<String, String> latencyNotes = new LinkedHashMap<>(notes);
    latencyNotes.put("samples", "every committed transaction's latency from pgbench --log; pgbench's own "
        + "latency average per run: " + String.join(", ", averages) + " ms");
    ctx.record(new Result(SUITE, "pgbench-latency", config, c.system(), v.name(), "ms", false,
        Summary.of(latencies), latencyNotes));
    return Summary.of(tps).p50();
  }

  /** The 1, 5 and 15 minute load averages, as uptime prints them. */
  /** The machine's load averages as /proc/loadavg gives them (1, 5, 15 min), or "unknown". */
  public static final class LoadAverage {
    private LoadAverage() {}

    public static String read() {
      try {
        String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
        return f[0] + " " + f[1] + " " + f[2];
      } catch (IOException | ArrayIndexOutOfBoundsException e) {
        return "unknown";
      }
    }
  }
}
