package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * P3, no flapping when nothing is faulty: after {@code fromNanos} (a moment when every fault had healed and the
 * cluster had settled) no node's observed role changes.
 *
 * <p>Input: observer events with {@code f = "role"}, one per observation, naming the node by {@code node} or, when
 * that is absent, by {@code process}. Per node, the first role observed at or after {@code fromNanos} is the
 * baseline, not a change. Observations that carry no role ({@code "unknown"}, {@code "unreachable"}, or no value)
 * are ignored: they say the observer could not tell, not that the role moved, so "replica, unknown, replica" is
 * stable while "replica, unknown, primary" is a change.
 *
 * <p>UNKNOWN when no role was observed in the window, or when one of the expected nodes (if given) never showed a
 * role in it: a node that cannot be observed is not shown to be stable, and "nothing seen" never passes.
 */
public final class RoleStabilityChecker implements Checker {

  /** Role values that mean "could not observe", never a role of their own. */
  static final Set<String> NO_ROLE = Set.of("unknown", "unreachable");

  private static final int MAX_LISTED = 20;

  private final long fromNanos;
  private final List<String> expectedNodes;

  /** @param fromNanos harness time from which roles must stay put */
  public RoleStabilityChecker(long fromNanos) {
    this(fromNanos, List.of());
  }

  /**
   * @param fromNanos harness time from which roles must stay put
   * @param expectedNodes every node that must be observed with a role in the window (empty: any)
   */
  public RoleStabilityChecker(long fromNanos, java.util.Collection<String> expectedNodes) {
    this.fromNanos = fromNanos;
    this.expectedNodes = List.copyOf(expectedNodes);
  }

  @Override
  public CheckResult check(History history) {
    Map<String, Op> last = new TreeMap<>();
    Map<String, Integer> changesByNode = new TreeMap<>();
    List<String> anomalies = new ArrayList<>();
    int observations = 0;
    int blind = 0;
    int changes = 0;
    for (Op op : history.ops()) {
      if (!op.f().equals("role") || op.type() == OpType.INVOKE || op.isClient() || op.process().equals("nemesis")
          || op.timeNanos() < fromNanos) {
        continue;
      }
      observations++;
      if (op.value() == null || NO_ROLE.contains(op.value().toString())) {
        blind++;
        continue;
      }
      String node = op.node() != null ? op.node() : op.process();
      Op before = last.put(node, op);
      if (before != null && !before.value().equals(op.value())) {
        changes++;
        changesByNode.merge(node, 1, Integer::sum);
        if (anomalies.size() < MAX_LISTED) {
          anomalies.add(node + ": " + before.value() + " (#" + before.index() + ") -> " + op.value() + " at "
              + Describe.seconds(op.timeNanos()) + " (#" + op.index() + ")");
        }
      }
    }
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("nodes", last.size());
    stats.put("observations", observations);
    stats.put("unknown-observations", blind);
    stats.put("changes", changes);
    stats.put("changes-by-node", Map.copyOf(changesByNode));
    String since = "since " + Describe.seconds(fromNanos);
    if (changes > 0) {
      return new CheckResult("role-stability", Verdict.INVALID, changes + " role changes " + since + " on "
          + String.join(", ", changesByNode.keySet()), anomalies, stats);
    }
    if (last.isEmpty()) {
      return new CheckResult("role-stability", Verdict.UNKNOWN, "no role observations " + since, anomalies, stats);
    }
    List<String> unseen = expectedNodes.stream().filter(n -> !last.containsKey(n)).toList();
    if (!unseen.isEmpty()) {
      stats.put("unobserved-nodes", unseen);
      return new CheckResult("role-stability", Verdict.UNKNOWN, "no role observed " + since + " for "
          + String.join(", ", unseen) + " (" + last.size() + " other nodes kept their role)", anomalies, stats);
    }
    return new CheckResult("role-stability", Verdict.VALID, "no flapping: " + last.size() + " nodes kept their role "
        + since + " (" + observations + " observations)", anomalies, stats);
  }
}
