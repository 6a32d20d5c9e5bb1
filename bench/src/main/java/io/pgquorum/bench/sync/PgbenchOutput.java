package io.pgquorum.bench.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what pgbench (PostgreSQL 15) prints after a timed run and what it writes with {@code --log}: the summary's
 * throughput, average latency and transaction counts, and every transaction's latency from the per-transaction
 * log, from which the suite takes the median and the 99th percentile (pgbench's summary has only the average).
 */
public final class PgbenchOutput {
  private static final Pattern TPS = Pattern.compile("(?m)^tps = ([0-9.]+) \\(without initial connection time\\)");
  private static final Pattern LATENCY = Pattern.compile("(?m)^latency average = ([0-9.]+) ms");
  private static final Pattern PROCESSED = Pattern.compile("(?m)^number of transactions actually processed: (\\d+)");
  private static final Pattern FAILED = Pattern.compile("(?m)^number of failed transactions: (\\d+)");

  private PgbenchOutput() {}

  /**
   * The summary of one timed run.
   *
   * @param tps transactions per second, without the initial connection time
   * @param latencyAverageMs pgbench's own average latency
   * @param processed transactions that completed
   * @param failed transactions that failed (serialization or deadlock errors; 0 when pgbench does not say)
   */
  public record Summary(double tps, double latencyAverageMs, long processed, long failed) {}

  /** Parses pgbench's summary; throws naming what is missing (a run that errored prints no tps line). */
  static Summary summary(String stdout) {
    return new Summary(number(TPS, stdout, "tps"), number(LATENCY, stdout, "latency average"),
        (long) number(PROCESSED, stdout, "number of transactions actually processed"),
        find(FAILED, stdout).map(Long::parseLong).orElse(0L));
  }

  /**
   * The per-transaction log's latencies.
   *
   * @param latenciesMs each completed transaction's latency in milliseconds, in log order
   * @param notCompleted lines for transactions that failed or were skipped (no latency)
   */
  record Log(List<Double> latenciesMs, long notCompleted) {
    Log {
      latenciesMs = List.copyOf(latenciesMs);
    }
  }

  /**
   * Parses {@code --log} lines: {@code client_id transaction_no time script_no time_epoch time_us [...]}, where
   * time is the transaction's latency in microseconds, or {@code failed} / {@code skipped}. Throws on a line that
   * is not of that form rather than guessing.
   */
  static Log log(List<String> lines) {
    List<Double> latencies = new ArrayList<>();
    long notCompleted = 0;
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.strip().split("\\s+");
      if (f.length < 6) {
        throw new IllegalArgumentException("not a pgbench transaction log line: '" + line + "'");
      }
      if (f[2].equals("failed") || f[2].equals("skipped")) {
        notCompleted++;
        continue;
      }
      try {
        latencies.add(Long.parseLong(f[2]) / 1000.0);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a pgbench transaction log line: '" + line + "'", e);
      }
    }
    return new Log(latencies, notCompleted);
  }

  private static double number(Pattern p, String text, String what) {
    return find(p, text).map(Double::parseDouble).orElseThrow(() -> new IllegalArgumentException(
        "pgbench printed no '" + what + "' line; its output was:\n" + text));
  }

  private static Optional<String> find(Pattern p, String text) {
    Matcher m = p.matcher(text);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }
}
