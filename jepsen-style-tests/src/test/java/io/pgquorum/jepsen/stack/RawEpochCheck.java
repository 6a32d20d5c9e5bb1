package io.pgquorum.jepsen.stack;

import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small stand-in for the module's EpochChecker, on raw history events, for the driver's own ITs: one token is
 * never OK on two nodes, and a probe that completed before another was invoked never carries a larger token.
 */
final class RawEpochCheck {
  private RawEpochCheck() {}

  /** The violations found (empty = valid). */
  static List<String> violations(List<Op> ops) {
    Map<String, Op> invokes = new HashMap<>();
    List<long[]> okProbes = new ArrayList<>(); // invokeTime, completeTime, token, index
    Map<Long, String> tokenNode = new HashMap<>();
    List<String> out = new ArrayList<>();
    for (Op op : ops) {
      if (!op.f().equals("probe")) {
        continue;
      }
      if (op.type() == OpType.INVOKE) {
        invokes.put(op.process(), op);
      } else {
        Op inv = invokes.remove(op.process());
        if (op.type() == OpType.OK && op.value() != null && inv != null) {
          long token = op.longValue();
          String prev = tokenNode.putIfAbsent(token, op.node());
          if (prev != null && !prev.equals(op.node())) {
            out.add("token " + token + " OK on " + prev + " and " + op.node() + " (op " + op.index() + ")");
          }
          okProbes.add(new long[] {inv.timeNanos(), op.timeNanos(), token, op.index()});
        }
      }
    }
    // For every probe b, the largest token among probes that completed before b was invoked must be <= b's.
    okProbes.sort((a, b) -> Long.compare(a[1], b[1]));
    List<long[]> byInvoke = new ArrayList<>(okProbes);
    byInvoke.sort((a, b) -> Long.compare(a[0], b[0]));
    long maxDone = Long.MIN_VALUE;
    long maxDoneIndex = -1;
    int k = 0;
    for (long[] b : byInvoke) {
      while (k < okProbes.size() && okProbes.get(k)[1] < b[0]) {
        if (okProbes.get(k)[2] > maxDone) {
          maxDone = okProbes.get(k)[2];
          maxDoneIndex = okProbes.get(k)[3];
        }
        k++;
      }
      if (b[2] < maxDone) {
        out.add("probe op " + b[3] + " carried token " + b[2] + " after op " + maxDoneIndex + " had completed with "
            + maxDone);
      }
    }
    return out;
  }
}
