package io.pgquorum.bench.failover;

import io.pgquorum.bench.Tools;
import io.pgquorum.bench.report.Result;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One system at one group of settings, as the failover suite measures it.
 *
 * @param system {@link Result#PGQUORUM} or {@link Result#PATRONI}
 * @param name variant name in the results ("defaults", "aggressive")
 * @param timing ttl, loop_wait and retry_timeout requested at bootstrap
 * @param nodes cluster size
 */
public record Variant(String system, String name, Timing timing, int nodes) {

  /** pgquorum's defaults: ttl 8, loop_wait 1, retry_timeout 2. */
  public static Variant pgquorumDefaults(int nodes) {
    return new Variant(Result.PGQUORUM, "defaults", new Timing(8, 1, 2), nodes);
  }

  /** The lowest values pgquorum's loader accepts: ttl 4, loop_wait 1, retry_timeout 1. */
  public static Variant pgquorumAggressive(int nodes) {
    return new Variant(Result.PGQUORUM, "aggressive", new Timing(4, 1, 1), nodes);
  }

  /** Patroni's defaults: ttl 30, loop_wait 10, retry_timeout 10. */
  public static Variant patroniDefaults(int nodes) {
    return new Variant(Result.PATRONI, "defaults", new Timing(30, 10, 10), nodes);
  }

  /** Patroni's documented minimums: ttl 20, loop_wait 1, retry_timeout 3. */
  public static Variant patroniAggressive(int nodes) {
    return new Variant(Result.PATRONI, "aggressive", new Timing(20, 1, 3), nodes);
  }

  /** The results' config string. */
  public String config() {
    return nodes + " nodes";
  }

  /** Starts a cluster of this variant under {@code dir}. */
  public HaCluster start(Tools tools, Path dir) throws IOException {
    return system.equals(Result.PGQUORUM) ? PgQuorumCluster.start(tools.pgquorumHome(), dir, nodes, timing)
        : PatroniCluster.start(tools, dir, nodes, timing);
  }

  @Override
  public String toString() {
    return system + " " + name + " (" + timing + ", " + config() + ")";
  }
}
