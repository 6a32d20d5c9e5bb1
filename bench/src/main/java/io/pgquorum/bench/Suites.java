package io.pgquorum.bench;

import java.util.List;

/** Every suite, in the order a full run executes them (cheap and independent first). */
final class Suites {
  private Suites() {}

  static List<Suite> all() {
    return List.of(
        // Each suite registers itself here, one line each.
        new io.pgquorum.bench.jmh.JmhSuite(),
        new io.pgquorum.bench.dcs.DcsSuite(),
        new io.pgquorum.bench.dcs.ScalingSuite(),
        new io.pgquorum.bench.failover.FailoverSuite(),
        new io.pgquorum.bench.failover.RaftLeadSuite(),
        new io.pgquorum.bench.switchover.SwitchoverSuite(),
        new io.pgquorum.bench.sync.SyncSuite(),
        new io.pgquorum.bench.cost.CostSuite(),
        new io.pgquorum.bench.rebuild.RebuildSuite(),
        new io.pgquorum.bench.soak.SoakSuite(),
        new io.pgquorum.bench.soak.ReplicaLossSuite()
    );
  }
}
