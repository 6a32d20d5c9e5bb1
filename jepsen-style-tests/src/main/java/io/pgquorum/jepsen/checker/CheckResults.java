package io.pgquorum.jepsen.checker;

import java.util.Collection;
import java.util.Locale;
import java.util.TreeMap;

/** Summaries of check results for logs, reports and the command-line runner. */
public final class CheckResults {
  private CheckResults() {
  }

  /** The worst verdict: INVALID if any is, else UNKNOWN if any is (or there are no results), else VALID. */
  public static Verdict overall(Collection<CheckResult> results) {
    if (results.isEmpty()) {
      return Verdict.UNKNOWN;
    }
    Verdict worst = Verdict.VALID;
    for (CheckResult r : results) {
      if (r.verdict() == Verdict.INVALID) {
        return Verdict.INVALID;
      }
      if (r.verdict() == Verdict.UNKNOWN) {
        worst = Verdict.UNKNOWN;
      }
    }
    return worst;
  }

  /** One line: {@code "VALID   epoch: at most one writable primary: ..."}. */
  public static String line(CheckResult r) {
    return String.format(Locale.ROOT, "%-7s %s: %s", r.verdict(), r.checker(), r.summary());
  }

  /** The line, then each anomaly and the stats, indented: what a person reads after a red run. */
  public static String describe(CheckResult r) {
    StringBuilder sb = new StringBuilder(line(r));
    for (String a : r.anomalies()) {
      sb.append("\n    - ").append(a);
    }
    if (!r.stats().isEmpty()) {
      sb.append("\n    stats:");
      new TreeMap<>(r.stats()).forEach(
          (k, v) -> sb.append(' ').append(k).append('=').append(v));
    }
    return sb.toString();
  }

  /** {@link #describe} for each result, then the overall verdict. */
  public static String describeAll(Collection<CheckResult> results) {
    StringBuilder sb = new StringBuilder();
    for (CheckResult r : results) {
      sb.append(describe(r)).append('\n');
    }
    return sb.append("overall: ").append(overall(results)).toString();
  }
}
