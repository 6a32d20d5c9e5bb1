package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.History.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * "No acknowledged write lost", counted without any allowance: client {@code add} operations of Long elements,
 * then a final {@code read} returning the list of elements present (the last OK read whose value is a list).
 *
 * <ul>
 *   <li>lost: acknowledged (OK) adds missing from the final read. Only adds that completed before the final read
 *       was invoked count: an add still running during the read may legitimately be absent;
 *   <li>unexpected: elements in the read that no add ever attempted, or whose add definitely FAILED;
 *   <li>recovered: unknown-outcome (INFO) adds that are present (they took effect after all);
 *   <li>ok: acknowledged adds present; unknown: unknown-outcome adds absent (allowed either way).
 * </ul>
 *
 * <p>INVALID if anything was lost or unexpected; UNKNOWN if there is no successful final read, or no add was
 * acknowledged (nothing was checked: a workload that recorded nothing never passes). Under asynchronous
 * replication a failover may lose acknowledged adds legitimately: {@link DurabilityChecker} decides whether each
 * loss was inside the window the configuration allows; this checker is the raw count.
 */
public final class SetChecker implements Checker {

  private static final int MAX_LISTED = 20;

  @Override
  public CheckResult check(History history) {
    SetTally t;
    try {
      t = SetTally.of(history);
    } catch (IllegalStateException e) {
      return new CheckResult("set", Verdict.UNKNOWN, "cannot check: malformed history: " + e.getMessage(),
          List.of(e.getMessage()), Map.of());
    }
    List<String> anomalies = new ArrayList<>(t.malformed);
    if (t.finalRead == null) {
      Map<String, Object> stats = new LinkedHashMap<>();
      stats.put("attempted", t.adds.size());
      return new CheckResult("set", Verdict.UNKNOWN, "no successful final read: nothing to compare "
          + t.adds.size() + " adds against", anomalies, stats);
    }
    List<Long> lost = new ArrayList<>();
    for (Pair add : t.lost) {
      lost.add(SetTally.element(add));
      if (lost.size() <= MAX_LISTED) {
        anomalies.add(t.describeLost(add));
      }
    }
    for (int i = 0; i < t.unexpected.size() && i < MAX_LISTED; i++) {
      anomalies.add(t.describeUnexpected(t.unexpected.get(i)));
    }

    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("attempted", t.adds.size());
    stats.put("acknowledged", t.acknowledged);
    stats.put("ok", t.ok);
    stats.put("lost", lost.size());
    stats.put("recovered", t.recovered.size());
    stats.put("unknown", t.unknown);
    stats.put("unexpected", t.unexpected.size());
    stats.put("concurrent-with-read", t.concurrent);
    stats.put("lost-elements", List.copyOf(lost.subList(0, Math.min(MAX_LISTED, lost.size()))));
    stats.put("unexpected-elements",
        List.copyOf(t.unexpected.subList(0, Math.min(MAX_LISTED, t.unexpected.size()))));

    boolean bad = !lost.isEmpty() || !t.unexpected.isEmpty();
    String counts = t.acknowledged + " acknowledged, " + lost.size() + " lost, " + t.unexpected.size()
        + " unexpected, " + t.recovered.size() + " recovered of " + (t.recovered.size() + t.unknown) + " unknown";
    if (bad) {
      return new CheckResult("set", Verdict.INVALID, counts, anomalies, stats);
    }
    if (t.acknowledged == 0) {
      return new CheckResult("set", Verdict.UNKNOWN, "no add was acknowledged before the final read: nothing "
          + "was checked (" + counts + ")", anomalies, stats);
    }
    return new CheckResult("set", Verdict.VALID, "no acknowledged add lost: " + counts, anomalies, stats);
  }
}
