package io.pgquorum.bench.dcs;

import io.pgquorum.bench.BenchContext;
import io.pgquorum.bench.report.Result;
import io.pgquorum.bench.report.Summary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DCS measurements, run against every system of a {@link DcsSystems} in alternating batches (pgquorum,
 * etcd, etcd, pgquorum, ...) so that drift on a shared machine (another process, a warming JIT, a filling page
 * cache) affects both alike. Each metric records one result per system (and variant).
 */
final class DcsBench {
  /** Lease length of the benchmark's leader lock: long enough never to expire during a run. */
  static final Duration LOCK_TTL = Duration.ofSeconds(30);
  /** A realistic leader key value: the holder's member name. */
  static final String LEADER_VALUE = "postgresql-node-1";

  private final BenchContext ctx;
  private final String suite;
  private final String config;
  private final DcsSystems systems;

  DcsBench(BenchContext ctx, String suite, String config, DcsSystems systems) {
    this.ctx = ctx;
    this.suite = suite;
    this.config = config;
    this.systems = systems;
  }

  /** One system (and variant) taking part in a metric, and how it runs one batch. */
  record Contender(String system, String variant, BatchRun run) {}

  /** Runs one batch of a metric for one contender. */
  @FunctionalInterface
  interface BatchRun {
    Sampler.Batch run() throws Exception;
  }

  /**
   * The order in which {@code contenders} run batch {@code batch}: rotated by one each batch, so each contender
   * goes first equally often.
   */
  static List<Integer> order(int contenders, int batch) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < contenders; i++) {
      order.add((i + batch) % contenders);
    }
    return order;
  }

  /** Untimed operations of every kind, so that both clients' and servers' JITs are warm before measuring. */
  void warmUp(int ops) throws Exception {
    for (DcsDriver d : systems.drivers()) {
      String key = "/bench/warmup/" + d.system();
      long rev = d.put(key, "0");
      for (int i = 0; i < ops; i++) {
        rev = casOrFail(d, key, rev, "w" + i);
        d.get(key);
      }
    }
  }

  /** cas-sequential-latency and cas-sequential-throughput: one compare-and-set at a time on {@code key}. */
  void casSequential(String key, int perBatch, int batches) throws Exception {
    List<Contender> contenders = new ArrayList<>();
    for (DcsDriver d : systems.drivers()) {
      long[] rev = {d.put(key, LEADER_VALUE)};
      contenders.add(new Contender(d.system(), "", () -> Sampler.sequential(perBatch,
          i -> rev[0] = casOrFail(d, key, rev[0], LEADER_VALUE + "-" + i))));
    }
    Map<Contender, List<Sampler.Batch>> results = alternate(contenders, batches);
    recordLatency("cas-sequential-latency", results, "one compare-and-set (on mod revision) at a time, one key");
    recordThroughput("cas-sequential-throughput", results, "one compare-and-set at a time; one sample per batch");
  }

  /**
   * cas-inflight-N-throughput (and, if asked, cas-inflight-N-latency): N workers, each doing compare-and-set on a
   * key of its own one after another, so N requests are in flight at all times and every one succeeds.
   */
  void casInFlight(int concurrency, int opsPerWorker, int batches, boolean recordLatency) throws Exception {
    List<Contender> contenders = new ArrayList<>();
    for (DcsDriver d : systems.drivers()) {
      long[] revs = new long[concurrency];
      for (int w = 0; w < concurrency; w++) {
        revs[w] = d.put(inFlightKey(w), "0");
      }
      contenders.add(new Contender(d.system(), "", () -> Sampler.closedLoop(concurrency, opsPerWorker,
          w -> i -> revs[w] = casOrFail(d, inFlightKey(w), revs[w], "v" + i))));
    }
    Map<Contender, List<Sampler.Batch>> results = alternate(contenders, batches);
    String how = concurrency + " compare-and-sets in flight (closed loop, one thread and one key each, one client)";
    recordThroughput("cas-inflight-" + concurrency + "-throughput", results, how + "; one sample per batch");
    if (recordLatency) {
      recordLatency("cas-inflight-" + concurrency + "-latency", results, how);
    }
  }

  private static String inFlightKey(int worker) {
    return "/bench/inflight/w" + worker;
  }

  /** read-linearizable-latency: one linearizable get of {@code key} (written first if absent) at a time. */
  void readLinearizable(String key, int perBatch, int batches) throws Exception {
    List<Contender> contenders = new ArrayList<>();
    for (DcsDriver d : systems.drivers()) {
      if (d.get(key).isEmpty()) {
        d.put(key, LEADER_VALUE);
      }
      contenders.add(new Contender(d.system(), "", () -> Sampler.sequential(perBatch, i -> {
        if (d.get(key).isEmpty()) {
          throw new IllegalStateException(d.system() + " lost key " + key);
        }
      })));
    }
    recordLatency("read-linearizable-latency", alternate(contenders, batches), "one linearizable get at a time");
  }

  /** read-cluster-prefix-latency: a linearizable read of every key of one cluster, as an HA loop does. */
  void readPrefix(String prefix, int expectedKeys, int perBatch, int batches) throws Exception {
    List<Contender> contenders = new ArrayList<>();
    for (DcsDriver d : systems.drivers()) {
      contenders.add(new Contender(d.system(), "", () -> Sampler.sequential(perBatch, i -> {
        int n = d.readPrefix(prefix);
        if (n != expectedKeys) {
          throw new IllegalStateException(d.system() + " returned " + n + " keys under " + prefix + ", expected "
              + expectedKeys);
        }
      })));
    }
    recordLatency("read-cluster-prefix-latency", alternate(contenders, batches),
        "one linearizable read of all " + expectedKeys + " keys under one cluster's prefix at a time");
  }

  /** lease-refresh-latency: one refresh of a held leader lock at a time, each way the system offers. */
  void leaseRefresh(int perBatch, int batches) throws Exception {
    List<Contender> contenders = new ArrayList<>();
    for (DcsDriver d : systems.drivers()) {
      String key = "/bench/" + suite + "/lock";
      for (DcsDriver.LeaseRefresh r : d.leaderLock(key, LEADER_VALUE, LOCK_TTL)) {
        contenders.add(new Contender(d.system(), r.variant(), () -> Sampler.sequential(perBatch, i -> {
          if (!r.refresh().run()) {
            throw new IllegalStateException(d.system() + " refused refresh " + r.variant() + " of " + key);
          }
        })));
      }
    }
    recordLatency("lease-refresh-latency", alternate(contenders, batches),
        "refresh of a held leader lock (ttl " + LOCK_TTL.toSeconds() + " s), one at a time");
  }

  private static long casOrFail(DcsDriver d, String key, long expected, String value) throws Exception {
    long next = d.cas(key, expected, value);
    if (next < 0) {
      throw new IllegalStateException(d.system() + " refused a compare-and-set on " + key + " at revision "
          + expected + " that should have succeeded");
    }
    return next;
  }

  private Map<Contender, List<Sampler.Batch>> alternate(List<Contender> contenders, int batches) throws Exception {
    Map<Contender, List<Sampler.Batch>> out = new LinkedHashMap<>();
    contenders.forEach(c -> out.put(c, new ArrayList<>()));
    for (int b = 0; b < batches; b++) {
      for (int i : order(contenders.size(), b)) {
        Contender c = contenders.get(i);
        out.get(c).add(c.run().run());
      }
    }
    return out;
  }

  private void recordLatency(String metric, Map<Contender, List<Sampler.Batch>> results, String how) {
    results.forEach((c, batches) -> {
      List<Double> all = new ArrayList<>();
      for (Sampler.Batch b : batches) {
        for (double v : b.latenciesMs()) {
          all.add(v);
        }
      }
      record(metric, c, "ms", false, Summary.of(all), how, batches.size());
    });
  }

  private void recordThroughput(String metric, Map<Contender, List<Sampler.Batch>> results, String how) {
    results.forEach((c, batches) -> record(metric, c, "ops/s", true,
        Summary.of(batches.stream().map(Sampler.Batch::opsPerSecond).toList()), how, batches.size()));
  }

  private void record(String metric, Contender c, String unit, boolean higherIsBetter, Summary summary,
      String how, int batches) {
    Map<String, String> notes = new LinkedHashMap<>(systems.notes(c.system()));
    notes.put("operation", how);
    notes.put("batches", batches + ", alternating between systems");
    ctx.record(new Result(suite, metric, config, c.system(), c.variant(), unit, higherIsBetter, summary, notes));
  }
}
