package io.pgquorum.jepsen.report;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Pairs the nemesis's {@code start-<kind>} and {@code stop-<kind>} events into time bands. A stop closes the open
 * start of its kind with the same description if there is one, else the oldest open start of its kind. A band
 * that never stops runs to the end of the run; a stop without a start draws from time zero (the start was not
 * recorded, but the fault was evidently in place).
 */
final class FaultBands {
  static final String NEMESIS = "nemesis";

  /**
   * @param kind the fault kind ({@code partition}, {@code kill} ...)
   * @param description the start event's value (or the stop's when the start is missing), as display text
   * @param started false when only the stop was recorded
   * @param stopped false when the fault was still in place when the history ended
   */
  record Band(String kind, String description, long startNanos, long endNanos, boolean started,
      boolean stopped) {
  }

  private FaultBands() {
  }

  static List<Band> from(History history, long endNanos) {
    Map<String, LinkedList<Op>> open = new HashMap<>();
    List<Band> out = new ArrayList<>();
    for (Op op : history.ops()) {
      if (!op.process().equals(NEMESIS)) {
        continue;
      }
      if (op.f().startsWith("start-")) {
        open.computeIfAbsent(op.f().substring(6), k -> new LinkedList<>()).add(op);
      } else if (op.f().startsWith("stop-")) {
        String kind = op.f().substring(5);
        Op start = takeMatching(open.get(kind), op);
        if (start == null) {
          out.add(new Band(kind, Html.valueText(op.value()), 0, op.timeNanos(), false, true));
        } else {
          out.add(new Band(kind, Html.valueText(start.value()), start.timeNanos(), op.timeNanos(), true, true));
        }
      }
    }
    open.forEach((kind, starts) -> starts.forEach(s ->
        out.add(new Band(kind, Html.valueText(s.value()), s.timeNanos(), Math.max(s.timeNanos(), endNanos),
            true, false))));
    out.sort(Comparator.comparingLong(Band::startNanos).thenComparingLong(Band::endNanos));
    return out;
  }

  private static Op takeMatching(LinkedList<Op> starts, Op stop) {
    if (starts == null || starts.isEmpty()) {
      return null;
    }
    if (stop.value() != null) {
      for (Iterator<Op> it = starts.iterator(); it.hasNext(); ) {
        Op s = it.next();
        if (Objects.equals(s.value(), stop.value())) {
          it.remove();
          return s;
        }
      }
    }
    return starts.removeFirst();
  }
}
