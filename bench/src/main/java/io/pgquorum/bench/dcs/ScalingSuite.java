package io.pgquorum.bench.dcs;

import io.pgquorum.bench.BenchContext;
import io.pgquorum.bench.Suite;
import java.util.Map;

/**
 * Suite {@code scaling}: how DCS latency changes with five members instead of three, and with ten clusters'
 * worth of keys in one three-member group. Metrics cas-sequential-latency and read-linearizable-latency (as in
 * suite {@code dcs}, whose "3 members" results are the baseline), plus read-cluster-prefix-latency with ten
 * clusters' keys.
 */
public final class ScalingSuite implements Suite {
  /** Config of the five-member part. */
  public static final String FIVE_MEMBERS = "5 members, fsync, loopback";
  /** Config of the ten-clusters part. */
  public static final String TEN_CLUSTERS = "3 members, 10 clusters' keys, fsync, loopback";
  static final int CLUSTERS = 10;
  static final int MEMBERS_PER_CLUSTER = 3;
  /** The cluster whose keys are written and read while the others sit in the store. */
  static final int MEASURED_CLUSTER = 4;

  record Plan(int warmUp, int batches, int perBatch) {
    static Plan of(boolean quick) {
      return quick ? new Plan(50, 2, 60) : new Plan(500, 6, 300);
    }
  }

  @Override
  public String name() {
    return "scaling";
  }

  @Override
  public String description() {
    return "DCS latency with 5 members, and with 10 clusters' keys in one group: pgquorum vs etcd";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Plan p = Plan.of(ctx.quick());
    Exception first = null;
    try {
      fiveMembers(ctx, p);
    } catch (Exception e) {
      first = e;
      ctx.results().skipped("scaling: " + FIVE_MEMBERS, "failed: " + e);
      ctx.progress("scaling: five-member part failed: " + e);
    }
    try {
      tenClusters(ctx, p);
    } catch (Exception e) {
      if (first == null) {
        first = e;
      }
      ctx.results().skipped("scaling: " + TEN_CLUSTERS, "failed: " + e);
      ctx.progress("scaling: ten-clusters part failed: " + e);
    }
    if (first != null) {
      throw first;
    }
  }

  private void fiveMembers(BenchContext ctx, Plan p) throws Exception {
    try (DcsSystems systems = DcsSystems.start(ctx, 5, "scaling 5 members")) {
      DcsBench bench = new DcsBench(ctx, name(), FIVE_MEMBERS, systems);
      bench.warmUp(p.warmUp());
      bench.casSequential("/bench/scaling/leader", p.perBatch(), p.batches());
      bench.readLinearizable("/bench/scaling/read", p.perBatch(), p.batches());
    }
  }

  private void tenClusters(BenchContext ctx, Plan p) throws Exception {
    Map<String, String> keys = ClusterKeys.generate(CLUSTERS, MEMBERS_PER_CLUSTER);
    try (DcsSystems systems = DcsSystems.start(ctx, 3, "scaling 10 clusters")) {
      ctx.progress("scaling: writing " + keys.size() + " keys of " + CLUSTERS + " clusters into each system");
      for (DcsDriver d : systems.drivers()) {
        for (Map.Entry<String, String> e : keys.entrySet()) {
          d.put(e.getKey(), e.getValue());
        }
      }
      DcsBench bench = new DcsBench(ctx, name(), TEN_CLUSTERS, systems);
      bench.warmUp(p.warmUp());
      String prefix = ClusterKeys.prefix(MEASURED_CLUSTER);
      bench.casSequential(prefix + "leader", p.perBatch(), p.batches());
      bench.readLinearizable(prefix + "leader", p.perBatch(), p.batches());
      bench.readPrefix(prefix, ClusterKeys.FIXED_KEYS + MEMBERS_PER_CLUSTER, p.perBatch(), p.batches());
    }
  }
}
