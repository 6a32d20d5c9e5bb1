package io.pgquorum.bench.report;

import java.util.Map;

/**
 * One measured quantity of one system in one configuration.
 *
 * <p>Results of different systems with the same {@code suite}, {@code metric} and {@code config} are compared
 * side by side: the report divides pgquorum's median by the incumbent's ({@link Comparison}).
 *
 * @param suite which benchmark produced it ("dcs", "failover", "cost", "scaling", "jmh")
 * @param metric what was measured, e.g. "cas-sequential-latency"
 * @param config the configuration, identical for the systems compared, e.g. "3 members, fsync"
 * @param system {@link #PGQUORUM} or the incumbent's name ({@link #ETCD}, {@link #PATRONI})
 * @param variant which settings of that system, e.g. "defaults" or "aggressive" ("" if only one)
 * @param unit unit of the samples, e.g. "ms", "ops/s", "MiB", "s"
 * @param higherIsBetter true for throughput-like metrics
 * @param summary the samples' statistics
 * @param notes free-form facts about the run (settings used, failed trials), shown in the report
 */
public record Result(String suite, String metric, String config, String system, String variant, String unit,
    boolean higherIsBetter, Summary summary, Map<String, String> notes) {

  /** System name of pgquorum's own results. */
  public static final String PGQUORUM = "pgquorum";
  /** System name of etcd (three members on loopback, through jetcd). */
  public static final String ETCD = "etcd";
  /** System name of Patroni with etcd. */
  public static final String PATRONI = "patroni+etcd";

  public Result {
    notes = Map.copyOf(notes);
  }

  /** A result without notes. */
  public static Result of(String suite, String metric, String config, String system, String variant, String unit,
      boolean higherIsBetter, Summary summary) {
    return new Result(suite, metric, config, system, variant, unit, higherIsBetter, summary, Map.of());
  }

  /** Whether this is pgquorum's result. */
  public boolean isPgquorum() {
    return PGQUORUM.equals(system);
  }

  /** A copy with one more note. */
  public Result withNote(String key, String value) {
    var n = new java.util.LinkedHashMap<>(notes);
    n.put(key, value);
    return new Result(suite, metric, config, system, variant, unit, higherIsBetter, summary, n);
  }
}
