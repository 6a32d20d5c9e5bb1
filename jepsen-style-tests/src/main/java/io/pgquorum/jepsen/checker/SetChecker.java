package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.History.Pair;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * "No acknowledged write lost": client {@code add} operations of Long elements, then a final {@code read}
 * returning the list of elements present (the last OK read whose value is a list).
 *
 * <ul>
 *   <li>lost: acknowledged (OK) adds missing from the final read. Only adds that completed before the final read
 *       was invoked count: an add still running during the read may legitimately be absent;
 *   <li>unexpected: elements in the read that no add ever attempted, or whose add definitely FAILED;
 *   <li>recovered: unknown-outcome (INFO) adds that are present (they took effect after all);
 *   <li>ok: acknowledged adds present; unknown: unknown-outcome adds absent (allowed either way).
 * </ul>
 *
 * <p>INVALID if anything was lost or unexpected; UNKNOWN if there is no successful final read.
 */
public final class SetChecker implements Checker {

  private static final int MAX_LISTED = 20;

  @Override
  public CheckResult check(History history) {
    List<Pair> pairs;
    try {
      pairs = history.pairs();
    } catch (IllegalStateException e) {
      return new CheckResult("set", Verdict.UNKNOWN, "cannot check: malformed history: " + e.getMessage(),
          List.of(e.getMessage()), Map.of());
    }
    Pair finalRead = null;
    for (Pair p : pairs) {
      if (p.invoke().f().equals("read") && p.outcome() == OpType.OK && p.completion().value() instanceof List<?>
          && (finalRead == null || Precedence.before(finalRead.completion(), p.completion()))) {
        finalRead = p;
      }
    }
    // Element -> the add that attempted it (the "strongest" outcome wins: OK over INFO over FAIL).
    Map<Long, Pair> adds = new TreeMap<>();
    List<String> anomalies = new ArrayList<>();
    for (Pair p : pairs) {
      if (!p.invoke().f().equals("add")) {
        continue;
      }
      if (!(p.invoke().value() instanceof Long element)) {
        anomalies.add("add " + Describe.pair(p) + " has no numeric element; ignored");
        continue;
      }
      Pair seen = adds.get(element);
      if (seen == null || rank(p.outcome()) > rank(seen.outcome())) {
        adds.put(element, p);
      }
    }
    if (finalRead == null) {
      Map<String, Object> stats = new LinkedHashMap<>();
      stats.put("attempted", adds.size());
      return new CheckResult("set", Verdict.UNKNOWN, "no successful final read: nothing to compare "
          + adds.size() + " adds against", anomalies, stats);
    }

    TreeSet<Long> present = new TreeSet<>();
    for (Object o : (List<?>) finalRead.completion().value()) {
      if (o instanceof Long l) {
        present.add(l);
      }
    }
    int acknowledged = 0;
    int ok = 0;
    int unknown = 0;
    int concurrent = 0;
    List<Long> lost = new ArrayList<>();
    List<Long> recovered = new ArrayList<>();
    List<Long> unexpected = new ArrayList<>();
    for (Map.Entry<Long, Pair> e : adds.entrySet()) {
      Long element = e.getKey();
      Pair add = e.getValue();
      boolean in = present.contains(element);
      switch (add.outcome()) {
        case OK:
          acknowledged++;
          if (in) {
            ok++;
          } else if (Precedence.before(add.completion(), finalRead.invoke())) {
            lost.add(element);
            if (lost.size() <= MAX_LISTED) {
              anomalies.add("lost " + element + ": acknowledged by " + Describe.pair(add)
                  + " but absent from the final read [#"
                  + finalRead.invoke().index() + "..#" + finalRead.completion().index() + "]");
            }
          } else {
            concurrent++;
          }
          break;
        case INFO:
          if (in) {
            recovered.add(element);
          } else {
            unknown++;
          }
          break;
        default: // FAIL: it definitely did not happen
          if (in) {
            unexpected.add(element);
            if (unexpected.size() <= MAX_LISTED) {
              anomalies.add("unexpected " + element + ": its add " + Describe.pair(add)
                  + " definitely failed, yet the final read contains it");
            }
          }
      }
    }
    for (Long element : present) {
      if (!adds.containsKey(element)) {
        unexpected.add(element);
        if (unexpected.size() <= MAX_LISTED) {
          anomalies.add("unexpected " + element + ": in the final read but never added");
        }
      }
    }

    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("attempted", adds.size());
    stats.put("acknowledged", acknowledged);
    stats.put("ok", ok);
    stats.put("lost", lost.size());
    stats.put("recovered", recovered.size());
    stats.put("unknown", unknown);
    stats.put("unexpected", unexpected.size());
    stats.put("concurrent-with-read", concurrent);
    stats.put("lost-elements", List.copyOf(lost.subList(0, Math.min(MAX_LISTED, lost.size()))));
    stats.put("unexpected-elements", List.copyOf(unexpected.subList(0, Math.min(MAX_LISTED, unexpected.size()))));

    boolean bad = !lost.isEmpty() || !unexpected.isEmpty();
    String summary = (bad ? "" : "no acknowledged add lost: ") + acknowledged + " acknowledged, " + lost.size()
        + " lost, " + unexpected.size() + " unexpected, " + recovered.size() + " recovered of "
        + (recovered.size() + unknown) + " unknown";
    return new CheckResult("set", bad ? Verdict.INVALID : Verdict.VALID, summary, anomalies, stats);
  }

  private static int rank(OpType t) {
    return t == OpType.OK ? 2 : t == OpType.INFO ? 1 : 0;
  }
}
