package io.pgquorum.bench.report;

import java.util.Arrays;
import java.util.Collection;

/**
 * Order statistics of one set of samples. Percentiles use the nearest-rank method (the smallest sample with at
 * least p% of the samples at or below it), so every reported value is a value that was actually measured.
 *
 * @param count number of samples
 * @param min smallest sample
 * @param p50 median (nearest rank)
 * @param p99 99th percentile (nearest rank; equals max below 100 samples)
 * @param max largest sample
 * @param mean arithmetic mean
 */
public record Summary(int count, double min, double p50, double p99, double max, double mean) {

  /** Summarises samples; at least one is required. */
  public static Summary of(double... samples) {
    if (samples.length == 0) {
      throw new IllegalArgumentException("a summary needs at least one sample");
    }
    double[] sorted = samples.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (double v : sorted) {
      sum += v;
    }
    return new Summary(sorted.length, sorted[0], rank(sorted, 50), rank(sorted, 99), sorted[sorted.length - 1],
        sum / sorted.length);
  }

  /** Summarises samples; at least one is required. */
  public static Summary of(Collection<? extends Number> samples) {
    return of(samples.stream().mapToDouble(Number::doubleValue).toArray());
  }

  /** Nearest-rank percentile of sorted samples. */
  static double rank(double[] sorted, double percent) {
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
