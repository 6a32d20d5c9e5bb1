package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.History.Pair;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a set workload's history says, before any judgement: the final read, the adds by element, and which
 * acknowledged adds are absent. Shared by {@link SetChecker} (every loss counts) and {@link DurabilityChecker}
 * (losses are judged against the failover window the configuration allows).
 *
 * <p>Inputs: client {@code add} operations of Long elements (the invocation's value is the element), then a final
 * {@code read} returning the list of elements present (the last OK read whose value is a list).
 */
final class SetTally {
  /** The last OK read with a list value, or null when there is none. */
  final Pair finalRead;
  /** Element -> the add that attempted it; the strongest outcome wins (OK over INFO over FAIL). */
  final Map<Long, Pair> adds = new TreeMap<>();
  final TreeSet<Long> present = new TreeSet<>();
  /** Adds whose invocation carried no numeric element (described for the anomalies list). */
  final List<String> malformed = new ArrayList<>();
  int acknowledged;
  int ok;
  int unknown;
  /** Acknowledged adds that completed after the final read began: they may legitimately be absent. */
  int concurrent;
  /** Acknowledged adds completed before the final read began and absent from it, in element order. */
  final List<Pair> lost = new ArrayList<>();
  final List<Long> recovered = new ArrayList<>();
  /** Elements present although never attempted, or attempted by an add that definitely FAILED. */
  final List<Long> unexpected = new ArrayList<>();
  /** For each unexpected element, its failed add (null when it was never attempted). */
  final Map<Long, Pair> unexpectedAdds = new TreeMap<>();

  private SetTally(Pair finalRead) {
    this.finalRead = finalRead;
  }

  /** @throws IllegalStateException when the history's pairs are malformed (a process with two open ops) */
  static SetTally of(History history) {
    List<Pair> pairs = history.pairs();
    Pair finalRead = null;
    for (Pair p : pairs) {
      if (p.invoke().f().equals("read") && p.outcome() == OpType.OK && p.completion().value() instanceof List<?>
          && (finalRead == null || Precedence.before(finalRead.completion(), p.completion()))) {
        finalRead = p;
      }
    }
    SetTally t = new SetTally(finalRead);
    for (Pair p : pairs) {
      if (!p.invoke().f().equals("add")) {
        continue;
      }
      if (!(p.invoke().value() instanceof Long element)) {
        t.malformed.add("add " + Describe.pair(p) + " has no numeric element; ignored");
        continue;
      }
      Pair seen = t.adds.get(element);
      if (seen == null || rank(p.outcome()) > rank(seen.outcome())) {
        t.adds.put(element, p);
      }
    }
    if (finalRead == null) {
      return t;
    }
    for (Object o : (List<?>) finalRead.completion().value()) {
      if (o instanceof Long l) {
        t.present.add(l);
      }
    }
    for (Map.Entry<Long, Pair> e : t.adds.entrySet()) {
      Long element = e.getKey();
      Pair add = e.getValue();
      boolean in = t.present.contains(element);
      switch (add.outcome()) {
        case OK -> {
          t.acknowledged++;
          if (in) {
            t.ok++;
          } else if (Precedence.before(add.completion(), finalRead.invoke())) {
            t.lost.add(add);
          } else {
            t.concurrent++;
          }
        }
        case INFO -> {
          if (in) {
            t.recovered.add(element);
          } else {
            t.unknown++;
          }
        }
        default -> { // FAIL: it definitely did not happen
          if (in) {
            t.unexpected.add(element);
            t.unexpectedAdds.put(element, add);
          }
        }
      }
    }
    for (Long element : t.present) {
      if (!t.adds.containsKey(element)) {
        t.unexpected.add(element);
      }
    }
    return t;
  }

  /** The anomaly text for one unexpected element. */
  String describeUnexpected(Long element) {
    Pair add = unexpectedAdds.get(element);
    return add != null
        ? "unexpected " + element + ": its add " + Describe.pair(add)
            + " definitely failed, yet the final read contains it"
        : "unexpected " + element + ": in the final read but never added";
  }

  /** The anomaly text for one lost add. */
  String describeLost(Pair add) {
    return "lost " + add.invoke().value() + ": acknowledged by " + Describe.pair(add)
        + " but absent from the final read [#" + finalRead.invoke().index() + "..#"
        + finalRead.completion().index() + "]";
  }

  static long element(Pair add) {
    return (Long) add.invoke().value();
  }

  private static int rank(OpType t) {
    return t == OpType.OK ? 2 : t == OpType.INFO ? 1 : 0;
  }
}
