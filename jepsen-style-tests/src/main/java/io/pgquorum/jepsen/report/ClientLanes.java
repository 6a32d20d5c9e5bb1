package io.pgquorum.jepsen.report;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Client operations grouped into timeline lanes: one per node the operation was sent to, and one
 * {@value #NO_NODE} lane for operations without a node.
 *
 * <p>Pairing is lenient on purpose: a report is most wanted for a broken run, so a process that invokes twice
 * without completing (which {@link History#pairs()} rejects) just leaves its first operation open.
 */
final class ClientLanes {
  static final String NO_NODE = "clients";

  /** One client operation; {@code completion} is null when the history ended first. */
  record ClientOp(Op invoke, Op completion) {
    /** OK / FAIL / INFO; an operation that never completed counts as INFO (its outcome is unknown). */
    OpType outcome() {
      return completion == null ? OpType.INFO : completion.type();
    }

    long endNanos(long historyEnd) {
      return completion == null ? historyEnd : completion.timeNanos();
    }

    String node() {
      if (invoke.node() != null) {
        return invoke.node();
      }
      return completion == null ? null : completion.node();
    }
  }

  final Map<String, List<ClientOp>> lanes = new TreeMap<>(ClientLanes::compareLanes);
  int total;
  int ok;
  int fail;
  int info;

  private ClientLanes() {
  }

  static ClientLanes from(History history) {
    ClientLanes c = new ClientLanes();
    Map<String, Integer> open = new HashMap<>();
    List<ClientOp> all = new ArrayList<>();
    for (Op op : history.ops()) {
      if (!op.isClient()) {
        continue;
      }
      if (op.type() == OpType.INVOKE) {
        open.put(op.process(), all.size());
        all.add(new ClientOp(op, null));
      } else {
        Integer at = open.remove(op.process());
        if (at != null) {
          all.set(at, new ClientOp(all.get(at).invoke(), op));
        }
      }
    }
    for (ClientOp op : all) {
      String lane = op.node() == null ? NO_NODE : op.node();
      c.lanes.computeIfAbsent(lane, k -> new ArrayList<>()).add(op);
      c.total++;
      switch (op.outcome()) {
        case OK -> c.ok++;
        case FAIL -> c.fail++;
        default -> c.info++;
      }
    }
    return c;
  }

  /** Node lanes in natural order, the lane without a node last. */
  private static int compareLanes(String a, String b) {
    if (a.equals(b)) {
      return 0;
    }
    if (a.equals(NO_NODE)) {
      return 1;
    }
    if (b.equals(NO_NODE)) {
      return -1;
    }
    return NaturalOrder.INSTANCE.compare(a, b);
  }
}
