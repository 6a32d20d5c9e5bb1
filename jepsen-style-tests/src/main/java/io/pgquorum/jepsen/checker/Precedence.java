package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.Op;

/**
 * Real-time order of events: harness time first, then history index. The recorder stamps both under one lock, so
 * they agree; the index only breaks ties between events stamped in the same clock tick.
 */
final class Precedence {
  private Precedence() {
  }

  /** Negative when {@code a} happened before {@code b}. */
  static int compare(Op a, Op b) {
    int byTime = Long.compare(a.timeNanos(), b.timeNanos());
    return byTime != 0 ? byTime : Long.compare(a.index(), b.index());
  }

  /** True when {@code a} happened strictly before {@code b}. */
  static boolean before(Op a, Op b) {
    return compare(a, b) < 0;
  }
}
