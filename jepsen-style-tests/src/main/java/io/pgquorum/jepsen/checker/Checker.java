package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.History;

/** Decides whether a history satisfies one property. Pure: no I/O, no clock. */
public interface Checker {
  CheckResult check(History history);
}
