package io.pgquorum.bench.cost;

import io.pgquorum.bench.BenchContext;
import io.pgquorum.bench.Suite;
import io.pgquorum.bench.failover.HaCluster;
import io.pgquorum.bench.failover.PgQuorumCluster;
import io.pgquorum.bench.failover.Variant;
import io.pgquorum.bench.report.Result;
import io.pgquorum.bench.report.Summary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Idle cost of a healthy three-node cluster, per node: resident memory and CPU time of the coordinator processes
 * (pgquorum: daemon JVM + watchdog child JVM, the DCS being inside the daemon; Patroni: the patroni process + the
 * node's etcd member). PostgreSQL is the same for both and excluded; its RSS is noted for context. Each system at
 * its defaults, one after the other.
 */
public final class CostSuite implements Suite {
  static final String SUITE = "cost";
  static final String CONFIG = "3 nodes, idle";
  private static final long SAMPLE_INTERVAL_MS = 1000;

  @Override
  public String name() {
    return SUITE;
  }

  @Override
  public String description() {
    return "resident memory and CPU time per node of an idle healthy 3-node cluster (pgquorum vs Patroni + etcd)";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    // Idle means steady state: a JVM keeps compiling for tens of seconds after start, and a production node runs
    // for months. Both systems get the same settling time after the cluster is healthy.
    Duration settle = ctx.pick(Duration.ofSeconds(10), Duration.ofSeconds(45));
    Duration window = ctx.pick(Duration.ofSeconds(20), Duration.ofSeconds(60));
    measure(ctx, Variant.pgquorumDefaults(3), settle, window);
    if (ctx.tools().hasPatroni() && ctx.tools().hasEtcd()) {
      measure(ctx, Variant.patroniDefaults(3), settle, window);
    } else {
      ctx.results().skipped("cost: Patroni + etcd", "Patroni or etcd is not installed (apt-get install patroni "
          + "etcd-server)");
    }
  }

  private void measure(BenchContext ctx, Variant v, Duration settle, Duration window) throws Exception {
    ctx.progress("cost: starting " + v);
    try (HaCluster c = v.start(ctx.tools(), ctx.scratchDir("cost-" + v.system().replace('+', '-')))) {
      // Start-up work (JIT, bootstrap, base backups) is not idle cost.
      Thread.sleep(settle.toMillis()); // a fixed settling time is the method here, not a stand-in for a condition
      List<IdleSampler> coord = new ArrayList<>();
      List<IdleSampler> pg = new ArrayList<>();
      for (int i = 0; i < c.size(); i++) {
        int node = i;
        coord.add(new IdleSampler(() -> c.coordinatorPids(node)));
        pg.add(new IdleSampler(() -> c.postgresPids(node), true));
      }
      long start = System.nanoTime();
      long end = start + window.toNanos();
      do {
        coord.forEach(IdleSampler::sample);
        pg.forEach(IdleSampler::sample);
        Thread.sleep(SAMPLE_INTERVAL_MS); // the sampling interval
      } while (System.nanoTime() < end);
      coord.forEach(IdleSampler::sample);
      pg.forEach(IdleSampler::sample);
      double minutes = (System.nanoTime() - start) / 60e9;
      double[] rss = coord.stream().mapToDouble(IdleSampler::meanRssMib).toArray();
      double[] pss = coord.stream().mapToDouble(IdleSampler::meanPssMib).toArray();
      double[] cpu = coord.stream().mapToDouble(s -> s.cpuSeconds() / minutes).toArray();
      Map<String, String> notes = new LinkedHashMap<>(c.settings());
      notes.put("processes per node", c.system().equals(Result.PGQUORUM)
          ? "daemon JVM + watchdog child JVM (the Raft DCS member is inside the daemon)"
          : "patroni (python3) + the node's etcd member");
      notes.put("window", String.format(Locale.ROOT, "settled %d s, then sampled every %d ms for %.0f s",
          settle.toSeconds(), SAMPLE_INTERVAL_MS, minutes * 60));
      notes.put("PostgreSQL RSS per node (excluded, for context)", String.format(Locale.ROOT, "%.1f MiB mean "
          + "(postmaster + children; shared buffers counted once per process that touched them)",
          pg.stream().mapToDouble(IdleSampler::meanRssMib).average().orElse(0)));
      notes.put("RSS", "VmRSS summed over the node's processes, mean over the window; one sample per node");
      if (c instanceof PgQuorumCluster q) {
        notes.put("daemon JVM options", q.javaOpts());
        long mapping = q.daemonsMappingSharedArchive();
        notes.put("class-data sharing", mapping == 0 ? "no daemon maps an archive (bin/lib-classpath.sh)"
            : mapping + " of " + q.size() + " daemons map an archive (bin/lib-classpath.sh), their watchdogs too");
      }
      ctx.record(new Result(SUITE, "idle-rss-per-node", CONFIG, c.system(), "defaults", "MiB", false,
          Summary.of(rss), notes));
      Map<String, String> pssNotes = new LinkedHashMap<>(notes);
      pssNotes.put("PSS", "Pss of /proc/PID/smaps_rollup summed over the node's processes, mean over the window:"
          + " pages shared between processes (the daemon's and the watchdog's JVM, libraries) counted by share;"
          + " the pages a node shares with the other nodes' processes are split among them too");
      ctx.record(new Result(SUITE, "idle-pss-per-node", CONFIG, c.system(), "defaults", "MiB", false,
          Summary.of(pss), pssNotes));
      ctx.record(new Result(SUITE, "idle-cpu-per-node", CONFIG, c.system(), "defaults", "CPU s/min", false,
          Summary.of(cpu), notes));
      // What the coordinator makes PostgreSQL do (its health queries, connections, replication bookkeeping) is
      // part of its cost too, though it runs in PostgreSQL's processes: PostgreSQL's CPU at idle, including
      // backends that came and went between samples.
      double[] pgCpu = pg.stream().mapToDouble(s -> s.cpuSeconds() / minutes).toArray();
      Map<String, String> pgNotes = new LinkedHashMap<>(notes);
      pgNotes.put("processes", "the node's whole PostgreSQL tree (postmaster, auxiliary processes, walsenders and"
          + " receivers, backends), plus backends that exited during the window (the postmaster's cutime/cstime)");
      ctx.record(new Result(SUITE, "idle-postgres-cpu-per-node", CONFIG, c.system(), "defaults", "CPU s/min",
          false, Summary.of(pgCpu), pgNotes));
    }
  }
}
