package io.pgquorum.jepsen.report;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One node's observed state over time, taken from the observer events ({@code role}, {@code lease},
 * {@code token}; process or {@code node} = the node's name): role segments, held-lease segments and the points
 * where the fencing token changed.
 */
final class NodeTracks {
  /** Observer event names this class reads. */
  static final Set<String> OBSERVER_FS = Set.of("role", "lease", "token");

  /** A stretch of time with one label (a role, or "held" for a lease with its remaining millis). */
  record Segment(long startNanos, long endNanos, String label, String detail) {
  }

  /** A fencing token seen for the first time (or again after another) at {@code atNanos}. */
  record TokenChange(long atNanos, String token) {
  }

  final String node;
  final List<Segment> roles = new ArrayList<>();
  final List<Segment> leases = new ArrayList<>();
  final List<TokenChange> tokens = new ArrayList<>();

  private NodeTracks(String node) {
    this.node = node;
  }

  /** True for an observer event about a node (not a client op, not the nemesis). */
  static boolean isObserverEvent(Op op) {
    return !op.isClient() && !op.process().equals("nemesis") && OBSERVER_FS.contains(op.f());
  }

  /** The node an observer event is about: its {@code node} field, else its process. */
  static String nodeOf(Op op) {
    return op.node() != null ? op.node() : op.process();
  }

  /** Tracks per node, ordered by name; segments still open at the end of the history run to {@code endNanos}. */
  static Map<String, NodeTracks> from(History history, long endNanos) {
    Map<String, List<Op>> byNode = new TreeMap<>(NaturalOrder.INSTANCE);
    for (Op op : history.ops()) {
      if (isObserverEvent(op)) {
        byNode.computeIfAbsent(nodeOf(op), k -> new ArrayList<>()).add(op);
      }
    }
    Map<String, NodeTracks> out = new TreeMap<>(NaturalOrder.INSTANCE);
    byNode.forEach((node, ops) -> out.put(node, build(node, ops, endNanos)));
    return out;
  }

  private static NodeTracks build(String node, List<Op> ops, long endNanos) {
    NodeTracks t = new NodeTracks(node);
    Op role = null;
    Op lease = null;
    String token = null;
    for (Op op : ops) {
      switch (op.f()) {
        case "role":
          // A repeated observation of the same role extends the segment instead of starting a new one.
          if (role != null && !sameValue(role, op)) {
            t.roles.add(roleSegment(role, op.timeNanos()));
            role = op;
          } else if (role == null) {
            role = op;
          }
          break;
        case "lease":
          if (lease != null) {
            addLease(t.leases, leaseSegment(lease, op.timeNanos()));
          }
          lease = op.value() == null ? null : op;
          break;
        case "token":
          String now = Html.valueText(op.value());
          if (op.value() != null && !now.equals(token)) {
            t.tokens.add(new TokenChange(op.timeNanos(), now));
            token = now;
          }
          break;
        default:
          break;
      }
    }
    if (role != null) {
      t.roles.add(roleSegment(role, endNanos));
    }
    if (lease != null) {
      addLease(t.leases, leaseSegment(lease, endNanos));
    }
    return t;
  }

  /**
   * Appends a held-lease stretch, joining it to the previous one when they touch: one bar per continuous hold
   * reads better than a bar per observation. The detail is the latest observation's.
   */
  private static void addLease(List<Segment> leases, Segment s) {
    if (!leases.isEmpty()) {
      Segment last = leases.get(leases.size() - 1);
      if (last.endNanos() == s.startNanos()) {
        leases.set(leases.size() - 1, new Segment(last.startNanos(), s.endNanos(), "held", s.detail()));
        return;
      }
    }
    leases.add(s);
  }

  private static boolean sameValue(Op a, Op b) {
    return a.value() == null ? b.value() == null : a.value().equals(b.value());
  }

  private static Segment roleSegment(Op from, long untilNanos) {
    String label = from.value() == null ? "unknown" : Html.valueText(from.value());
    return new Segment(from.timeNanos(), Math.max(from.timeNanos(), untilNanos), label, null);
  }

  /**
   * A held lease lasts until the next observation, but never past its own remaining time: without a newer
   * observation (the observer lost the node) it cannot be held longer than that.
   */
  private static Segment leaseSegment(Op from, long untilNanos) {
    long end = untilNanos;
    String detail = Html.valueText(from.value());
    if (from.value() instanceof Long remainingMillis) {
      end = Math.min(end, from.timeNanos() + Math.max(0, remainingMillis) * 1_000_000L);
      detail = remainingMillis + " ms remaining at " + Html.seconds(from.timeNanos()) + " s";
    }
    return new Segment(from.timeNanos(), Math.max(from.timeNanos(), end), "held", detail);
  }
}
