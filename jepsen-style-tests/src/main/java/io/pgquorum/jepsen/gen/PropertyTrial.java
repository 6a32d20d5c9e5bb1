package io.pgquorum.jepsen.gen;

import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Schedule;
import java.util.function.Predicate;

/** Runs one schedule and says which asserted checkers failed (see {@link TrialOutcome}). */
@FunctionalInterface
public interface PropertyTrial {
  TrialOutcome run(Schedule schedule);

  /**
   * A trial from a plain pass/fail predicate (pure stand-ins in tests); a failure is reported as the INVALID
   * verdict of a checker named {@code "property"}.
   */
  static PropertyTrial passes(Predicate<Schedule> holds) {
    return s -> holds.test(s) ? TrialOutcome.pass() : TrialOutcome.fail("property", Verdict.INVALID);
  }
}
