package io.pgquorum.jepsen.gen;

import io.pgquorum.jepsen.checker.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What one trial said, as far as property runs and shrinking care: the asserted checkers that did not find the
 * history VALID, with their verdicts, in the trial's order. Empty means the property held.
 */
public record TrialOutcome(Map<String, Verdict> failures) {

  public TrialOutcome {
    for (Map.Entry<String, Verdict> e : failures.entrySet()) {
      if (e.getValue() == Verdict.VALID) {
        throw new IllegalArgumentException("a failure cannot be VALID: " + e.getKey());
      }
    }
    failures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(failures));
  }

  public static TrialOutcome pass() {
    return new TrialOutcome(Map.of());
  }

  /** One checker failed with this verdict. */
  public static TrialOutcome fail(String checker, Verdict verdict) {
    return new TrialOutcome(Map.of(checker, verdict));
  }

  public boolean passed() {
    return failures.isEmpty();
  }

  /**
   * The failure a shrink must keep: the first checker that found the history INVALID, else the first that could
   * not decide. Empty when the trial passed.
   */
  public Optional<Map.Entry<String, Verdict>> target() {
    for (Map.Entry<String, Verdict> e : failures.entrySet()) {
      if (e.getValue() == Verdict.INVALID) {
        return Optional.of(Map.entry(e.getKey(), e.getValue()));
      }
    }
    return failures.entrySet().stream().findFirst().map(e -> Map.entry(e.getKey(), e.getValue()));
  }

  /**
   * True when this (a shrink candidate's) outcome still shows {@code original}'s target failure: the same checker
   * with the same verdict. A candidate that fails some other checker instead is a different failure, not a smaller
   * example of this one.
   */
  public boolean reproduces(TrialOutcome original) {
    return original.target().map(t -> t.getValue() == failures.get(t.getKey())).orElse(false);
  }

  @Override
  public String toString() {
    return passed() ? "passed" : failures.toString();
  }
}
