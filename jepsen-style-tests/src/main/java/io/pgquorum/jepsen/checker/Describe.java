package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.OpType;
import java.util.Locale;

/** Short human-readable texts for anomalies: one operation, a duration. */
final class Describe {
  private Describe() {
  }

  /** For example {@code "c3 read -> ok 5 [#10..#12]"} or {@code "c4 write 7 -> info [#13..?]"}. */
  static String pair(History.Pair p) {
    StringBuilder sb = new StringBuilder();
    sb.append(p.invoke().process()).append(' ').append(p.invoke().f());
    if (p.invoke().value() != null) {
      sb.append(' ').append(p.invoke().value());
    }
    sb.append(" -> ").append(p.outcome().name().toLowerCase(Locale.ROOT));
    if (p.completion() != null && p.completion().type() == OpType.OK && p.completion().value() != null) {
      sb.append(' ').append(p.completion().value());
    }
    sb.append(" [#").append(p.invoke().index()).append("..");
    sb.append(p.completion() == null ? "?" : "#" + p.completion().index()).append(']');
    return sb.toString();
  }

  /** Nanoseconds as seconds with one decimal, for example {@code "12.3 s"}. */
  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  /** Nanoseconds as seconds (a double rounded to milliseconds), for stats. */
  static double secondsValue(long nanos) {
    return Math.round(nanos / 1e6) / 1e3;
  }
}
