package io.pgquorum.jepsen.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * An immutable history: events in the order the recorder stamped them (time order on the harness clock).
 *
 * <p>Jepsen's process rule holds: a process has at most one operation outstanding, so an invocation is completed
 * by the next completion of the same process. A process whose operation ended as INFO must not invoke again
 * (the recorder enforces nothing; workloads use a fresh process id after an INFO, as Jepsen does).
 */
public record History(List<Op> ops) {

  public History {
    ops = List.copyOf(ops);
  }

  /** An invocation and its completion; {@code completion} is null when the history ended first. */
  public record Pair(Op invoke, Op completion) {
    /** OK / FAIL / INFO, or INFO when the operation never completed. */
    public OpType outcome() {
      return completion == null ? OpType.INFO : completion.type();
    }

    /** Completion time, or {@code Long.MAX_VALUE} when it never completed (it may take effect at any time). */
    public long endNanos() {
      return completion == null || completion.type() == OpType.INFO ? Long.MAX_VALUE : completion.timeNanos();
    }
  }

  /** Client operations (invocations with their completions), in invocation order. */
  public List<Pair> pairs() {
    return pairs(Op::isClient);
  }

  /** Invocation/completion pairs of the events matching {@code filter}, in invocation order. */
  public List<Pair> pairs(Predicate<Op> filter) {
    List<Pair> out = new ArrayList<>();
    Map<String, Integer> open = new HashMap<>();
    for (Op op : ops) {
      if (!filter.test(op)) {
        continue;
      }
      if (op.type() == OpType.INVOKE) {
        Integer prev = open.put(op.process(), out.size());
        if (prev != null) {
          throw new IllegalStateException("process " + op.process() + " invoked op " + op.index()
              + " while op " + out.get(prev).invoke().index() + " was still open");
        }
        out.add(new Pair(op, null));
      } else {
        Integer at = open.remove(op.process());
        if (at != null) {
          out.set(at, new Pair(out.get(at).invoke(), op));
        }
      }
    }
    return out;
  }

  /** Events of {@code process} (for example {@code "nemesis"}). */
  public List<Op> byProcess(String process) {
    return ops.stream().filter(o -> o.process().equals(process)).toList();
  }

  /** Time of the last event, or 0 for an empty history. */
  public long endNanos() {
    return ops.isEmpty() ? 0 : ops.get(ops.size() - 1).timeNanos();
  }
}
