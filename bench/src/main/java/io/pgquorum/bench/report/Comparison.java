package io.pgquorum.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * pgquorum against one incumbent variant for one metric and configuration.
 *
 * <p>The ratio is pgquorum's median divided by the incumbent's median: below 1 means pgquorum measured less
 * (better for latency, time and memory, worse for throughput). Medians, not means: on a shared two-core
 * machine a few outliers would dominate a mean, and the ratio of medians measured in the same run is the figure
 * that stays stable across machines.
 *
 * @param pgquorum pgquorum's result
 * @param incumbent the incumbent's result in the same suite, metric and configuration
 */
public record Comparison(Result pgquorum, Result incumbent) {

  /** pgquorum's median / the incumbent's median. NaN if the incumbent's median is 0. */
  public double ratio() {
    double denominator = incumbent.summary().p50();
    return denominator == 0 ? Double.NaN : pgquorum.summary().p50() / denominator;
  }

  /**
   * The report's words for the comparison: "same" for equal medians (two zeros included: the soak's counts, whose
   * ratio is undefined, read "incumbent better" before), "n/a" for another undefined ratio, else which is better.
   */
  public String verdict() {
    if (pgquorum.summary().p50() == incumbent.summary().p50()) {
      return "same";
    }
    if (Double.isNaN(ratio())) {
      return "n/a";
    }
    return pgquorumBetterOrEqual() ? "pgquorum better" : "incumbent better";
  }

  /** Whether pgquorum's median is the better one (ties count as not worse, hence true). */
  public boolean pgquorumBetterOrEqual() {
    double r = ratio();
    if (Double.isNaN(r)) {
      return false;
    }
    return pgquorum.higherIsBetter() ? r >= 1.0 : r <= 1.0;
  }

  /**
   * Pairs every pgquorum result with each incumbent result of the same suite, metric and configuration, in the
   * order the pgquorum results were recorded. Results without a counterpart are left out (the report lists them
   * on their own).
   */
  public static List<Comparison> pair(List<Result> results) {
    Map<String, List<Result>> incumbents = new LinkedHashMap<>();
    for (Result r : results) {
      if (!r.isPgquorum()) {
        incumbents.computeIfAbsent(key(r), k -> new ArrayList<>()).add(r);
      }
    }
    List<Comparison> out = new ArrayList<>();
    for (Result r : results) {
      if (r.isPgquorum()) {
        for (Result other : incumbents.getOrDefault(key(r), List.of())) {
          out.add(new Comparison(r, other));
        }
      }
    }
    return out;
  }

  /**
   * The like-for-like subset of {@link #pair}: both at the same named settings (defaults with defaults,
   * aggressive with aggressive), or one side without a variant (e.g. etcd's two ways of refreshing a lease
   * against pgquorum's one). Mixed pairs stay in results.md; the chart and the README show these.
   */
  public static List<Comparison> likeForLike(List<Result> results) {
    List<Comparison> out = new ArrayList<>();
    for (Comparison c : pair(results)) {
      String a = c.pgquorum().variant();
      String b = c.incumbent().variant();
      if (a.isEmpty() || b.isEmpty() || a.equals(b)) {
        out.add(c);
      }
    }
    return out;
  }

  private static String key(Result r) {
    return String.join("\u0000", r.suite(), r.metric(), Objects.requireNonNullElse(r.config(), ""));
  }
}
