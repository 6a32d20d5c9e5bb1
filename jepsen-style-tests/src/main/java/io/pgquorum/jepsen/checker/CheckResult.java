package io.pgquorum.jepsen.checker;

import java.util.List;
import java.util.Map;

/**
 * What a checker found.
 *
 * @param checker the checker's name (for example {@code "linearizable(dcs-register)"})
 * @param verdict valid / invalid / unknown
 * @param summary one line for people
 * @param anomalies the specific violations (op indexes and values), at most a few dozen
 * @param stats counts worth reporting (for example lost/recovered elements, ops checked, seconds to recover)
 */
public record CheckResult(String checker, Verdict verdict, String summary, List<String> anomalies,
    Map<String, Object> stats) {

  public CheckResult {
    anomalies = List.copyOf(anomalies);
    stats = Map.copyOf(stats);
  }

  public boolean valid() {
    return verdict == Verdict.VALID;
  }
}
