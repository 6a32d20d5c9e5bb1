package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds stamped histories by hand: each event gets the next index and the current time, then the clock advances
 * by one millisecond unless {@link #at} moves it.
 */
final class TestHistory {
  static final long MS = 1_000_000L;

  private final List<Op> ops = new ArrayList<>();
  private long time;

  /** Sets the time of the next event (nanoseconds). */
  TestHistory at(long nanos) {
    time = nanos;
    return this;
  }

  Op invoke(String process, String f, String key, Object value) {
    return add(Op.of(process, OpType.INVOKE, f, key, value, null, null));
  }

  Op invokeOn(String process, String f, String node, Object value) {
    return add(Op.of(process, OpType.INVOKE, f, null, value, node, null));
  }

  Op ok(Op invoke, Object result) {
    return add(invoke.complete(OpType.OK, result, null));
  }

  Op fail(Op invoke) {
    return add(invoke.complete(OpType.FAIL, null, "refused"));
  }

  /** A FAIL completion carrying a value (what the DCS said the key held, for example). */
  Op failWith(Op invoke, Object value, String error) {
    return add(invoke.complete(OpType.FAIL, value, error));
  }

  Op info(Op invoke) {
    return add(invoke.complete(OpType.INFO, null, "timeout"));
  }

  /** A non-client event (observer or nemesis), INFO. */
  Op event(String process, String f, Object value) {
    return add(Op.of(process, OpType.INFO, f, null, value, null, null));
  }

  /** Invocation immediately followed by an OK completion. */
  Op okOp(String process, String f, String key, Object arg, Object result) {
    return ok(invoke(process, f, key, arg), result);
  }

  History build() {
    return new History(ops);
  }

  private Op add(Op op) {
    Op stamped = op.stamped(ops.size(), time);
    ops.add(stamped);
    time += MS;
    return stamped;
  }
}
