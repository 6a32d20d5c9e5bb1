package io.pgquorum.jepsen.history;

import java.util.List;
import java.util.Objects;

/**
 * One history event.
 *
 * <p>Values are kept to JSON-friendly types so that a history written as JSON Lines reads back equal: {@code null},
 * {@link Long}, {@link String}, {@link Boolean}, or a {@link List} of those (for example a compare-and-set's
 * {@code [expected, new]} or a final set read). {@link #of} normalises Integer to Long.
 *
 * @param index position in the history (0-based, dense), assigned by the recorder
 * @param timeNanos harness clock (nanoseconds since the run began); one clock for every event
 * @param process who performed it: a client ({@code "c3"}), {@code "nemesis"}, {@code "observer"}, or a node name
 *     for coordinator events
 * @param type invoke / ok / fail / info
 * @param f the operation ({@code read}, {@code write}, {@code cas}, {@code acquire}, {@code release}, {@code add},
 *     {@code probe}, {@code role}, {@code lease}, a fault kind ...)
 * @param key the key the operation touches (partitions linearizability checks); null when none
 * @param value the argument (on invoke) or result (on completion)
 * @param node the node the operation was sent to or concerns; null when none
 * @param error why it failed or is unknown; null when none
 */
public record Op(long index, long timeNanos, String process, OpType type, String f, String key, Object value,
    String node, String error) {

  public Op {
    Objects.requireNonNull(process, "process");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(f, "f");
    value = normalise(value);
  }

  /** An event before the recorder assigned index and time (both -1). */
  public static Op of(String process, OpType type, String f, String key, Object value, String node, String error) {
    return new Op(-1, -1, process, type, f, key, value, node, error);
  }

  /** This event with the recorder's index and time. */
  public Op stamped(long index, long timeNanos) {
    return new Op(index, timeNanos, process, type, f, key, value, node, error);
  }

  /** A completion of this (invoke) event with the given type, value and error, unstamped. */
  public Op complete(OpType completion, Object result, String why) {
    if (!completion.isCompletion()) {
      throw new IllegalArgumentException("not a completion type: " + completion);
    }
    return new Op(-1, -1, process, completion, f, key, result, node, why);
  }

  /** The value as a long; throws if it is not a number. */
  public long longValue() {
    if (value instanceof Long l) {
      return l;
    }
    throw new IllegalStateException("op " + index + " value is not a number: " + value);
  }

  /** The value as a list of longs (for example {@code [expected, new]}); throws if it is not one. */
  @SuppressWarnings("unchecked")
  public List<Long> longList() {
    if (value instanceof List<?> l && l.stream().allMatch(x -> x == null || x instanceof Long)) {
      return (List<Long>) l;
    }
    throw new IllegalStateException("op " + index + " value is not a list of numbers: " + value);
  }

  /** True for client operations (not nemesis, observer or coordinator events). */
  public boolean isClient() {
    return process.startsWith("c") && process.length() > 1 && Character.isDigit(process.charAt(1));
  }

  private static Object normalise(Object v) {
    if (v instanceof Integer i) {
      return i.longValue();
    }
    if (v instanceof List<?> l) {
      // Unmodifiable, and null elements allowed (a read of an absent key inside a list).
      return l.stream().map(Op::normalise).toList();
    }
    return v;
  }
}
