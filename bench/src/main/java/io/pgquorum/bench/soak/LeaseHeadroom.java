package io.pgquorum.bench.soak;

import io.pgquorum.bench.failover.HaCluster;
import io.pgquorum.bench.failover.MetricsScrape;
import io.pgquorum.bench.failover.Timing;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * How close a pgquorum primary came to fencing itself during the soak: each node's
 * {@code pgquorum_lease_headroom_min_seconds} (the least time its lease had left before its deadline when a refresh
 * of it was confirmed), read from its {@code /metrics} at the end. Why the soak reads it: a spurious failover is
 * what the soak counts, but none in 30 minutes says nothing about how near one came; the lowest headroom does, and
 * it is what a shorter ttl would have had to fit in (issue 15 picks the default ttl from the soak). The longest
 * wait between confirmed refreshes that the lease lived through is {@code ttl - retry_timeout} (the lease's
 * validity, pgquorum's LeaseTerms) minus that headroom; a ttl whose validity exceeds that wait plus the shorter
 * ttl's own refresh period would have held through the same stalls.
 */
public final class LeaseHeadroom {
  public static final String GAUGE = "pgquorum_lease_headroom_min_seconds";

  private LeaseHeadroom() {}

  /** Each node's lowest headroom, seconds (NaN for a node that confirmed no refresh), by member name. */
  public static Map<String, Double> read(HaCluster c) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < c.size(); i++) {
      out.put(c.name(i), MetricsScrape.required(c, i, GAUGE, null));
    }
    return out;
  }

  /** The lowest headroom among the nodes that confirmed a refresh; empty when none did. */
  public static OptionalDouble lowest(Map<String, Double> byNode) {
    return byNode.values().stream().filter(v -> !v.isNaN()).mapToDouble(Double::doubleValue).min();
  }

  /** The lease's validity at {@code t}: ttl - retry_timeout, the time a refresh keeps it from the refresh's send. */
  public static double validitySeconds(Timing t) {
    return t.ttl() - t.retryTimeout();
  }

  /** The nodes' values for the report, e.g. {@code node1 1.62 s, node2 -, node3 -}. */
  public static String describe(Map<String, Double> byNode) {
    StringBuilder sb = new StringBuilder();
    byNode.forEach((name, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(name).append(' ')
        .append(v.isNaN() ? "- (held no lease)" : String.format(Locale.ROOT, "%.3f s", v)));
    return sb.toString();
  }
}
