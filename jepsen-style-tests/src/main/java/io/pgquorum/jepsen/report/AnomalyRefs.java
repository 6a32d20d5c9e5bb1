package io.pgquorum.jepsen.report;

import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The history events that checkers' anomaly lines point at. Anomalies are free text; the operations are found by
 * the ways checkers name them: {@code "op 12"}, {@code "ops 12, 14 and 20"}, {@code "op #12"}, {@code "#12"},
 * {@code "index 12"} / {@code "index=12"}.
 */
final class AnomalyRefs {
  private static final Pattern LIST = Pattern.compile(
      "(?i)(?:\\bops?\\s*#?|\\bindex(?:es)?\\s*[=:]?\\s*|#)(\\d+(?:\\s*(?:,|and|&)\\s*#?\\d+)*)");
  private static final Pattern NUMBER = Pattern.compile("\\d+");

  /** One referenced event and the checker (and anomaly line) that pointed at it. */
  record Ref(String checker, String anomaly, Op op) {
  }

  private AnomalyRefs() {
  }

  /** Op indexes named in one anomaly line, in order, without repeats. */
  static List<Long> indexes(String anomaly) {
    Set<Long> out = new LinkedHashSet<>();
    if (anomaly == null) {
      return List.of();
    }
    Matcher m = LIST.matcher(anomaly);
    while (m.find()) {
      Matcher n = NUMBER.matcher(m.group(1));
      while (n.find()) {
        try {
          out.add(Long.parseLong(n.group()));
        } catch (NumberFormatException e) {
          // more digits than a long: not an op index
        }
      }
    }
    return new ArrayList<>(out);
  }

  /**
   * The first {@code limit} distinct events referenced by the results' anomalies, invalid results first. Indexes
   * that are not in the history are skipped.
   */
  static List<Ref> first(List<CheckResult> results, History history, int limit) {
    Map<Long, Op> byIndex = new HashMap<>();
    for (Op op : history.ops()) {
      byIndex.put(op.index(), op);
    }
    List<CheckResult> ordered = new ArrayList<>();
    results.stream().filter(r -> !r.valid()).forEach(ordered::add);
    results.stream().filter(CheckResult::valid).forEach(ordered::add);
    List<Ref> out = new ArrayList<>();
    Set<Long> seen = new LinkedHashSet<>();
    for (CheckResult r : ordered) {
      for (String a : r.anomalies()) {
        for (long i : indexes(a)) {
          Op op = byIndex.get(i);
          if (op != null && seen.add(i)) {
            out.add(new Ref(r.checker(), a, op));
            if (out.size() >= limit) {
              return out;
            }
          }
        }
      }
    }
    return out;
  }
}
