package io.pgquorum.bench.dcs;

import io.pgquorum.bench.BenchContext;
import io.pgquorum.bench.Suite;

/**
 * Suite {@code dcs}: pgquorum's embedded DCS against etcd, three members each on loopback, both durable and on
 * the same disk. Metrics: cas-sequential-latency, cas-sequential-throughput, read-linearizable-latency,
 * lease-refresh-latency, cas-inflight-16-throughput, cas-inflight-64-throughput, cas-inflight-64-latency.
 */
public final class DcsSuite implements Suite {
  /** The configuration both systems run in (the results' config). */
  public static final String CONFIG = "3 members, fsync, loopback";

  /**
   * How much to measure.
   *
   * @param warmUp untimed operations per system first
   * @param batches alternating batches per metric
   * @param perBatch sequential operations per batch (latency and sequential throughput)
   * @param leasePerBatch lease refreshes per batch and variant
   * @param opsPerWorker16 operations per worker per batch with 16 in flight
   * @param opsPerWorker64 operations per worker per batch with 64 in flight
   */
  record Plan(int warmUp, int batches, int perBatch, int leasePerBatch, int opsPerWorker16, int opsPerWorker64) {
    static Plan of(boolean quick) {
      return quick ? new Plan(100, 3, 100, 70, 20, 8) : new Plan(1000, 10, 300, 200, 100, 40);
    }
  }

  @Override
  public String name() {
    return "dcs";
  }

  @Override
  public String description() {
    return "DCS compare-and-set latency/throughput, linearizable reads, lease refresh: pgquorum vs etcd ("
        + CONFIG + ")";
  }

  @Override
  public void run(BenchContext ctx) throws Exception {
    Plan p = Plan.of(ctx.quick());
    try (DcsSystems systems = DcsSystems.start(ctx, 3, "dcs 3 members")) {
      DcsBench bench = new DcsBench(ctx, name(), CONFIG, systems);
      ctx.progress("dcs: warming up (" + p.warmUp() + " operations per system)");
      bench.warmUp(p.warmUp());
      bench.casSequential("/bench/dcs/leader", p.perBatch(), p.batches());
      bench.readLinearizable("/bench/dcs/read", p.perBatch(), p.batches());
      bench.leaseRefresh(p.leasePerBatch(), p.batches());
      bench.casInFlight(16, p.opsPerWorker16(), p.batches(), false);
      bench.casInFlight(64, p.opsPerWorker64(), p.batches(), true);
    }
  }
}
