package io.pgquorum.jepsen.checker;

import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.History.Pair;
import io.pgquorum.jepsen.history.OpType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * P3, bounded unavailability: after the last fault healed, some client operation with {@code f} in {@code fs}
 * must succeed within a bound derived from the configuration.
 *
 * <p>Only operations invoked at or after the heal count: an operation already in flight may have been served
 * before the heal, and counting it would credit the cluster with a recovery it had not made. The recovery time is
 * from the heal to the completion of the first such OK operation.
 *
 * <p>When the history ends before the bound has elapsed and nothing succeeded yet, the verdict is UNKNOWN: the run
 * was too short to tell.
 */
public final class AvailabilityChecker implements Checker {

  private final long lastHealNanos;
  private final long boundNanos;
  private final Set<String> fs;

  /**
   * @param lastHealNanos harness time when the last fault was reverted (0 when there were none)
   * @param boundNanos how long after that a success must arrive
   * @param fs the operations that count as success (for example {@code Set.of("write", "add")})
   */
  public AvailabilityChecker(long lastHealNanos, long boundNanos, Set<String> fs) {
    if (boundNanos <= 0) {
      throw new IllegalArgumentException("boundNanos must be positive, got " + boundNanos);
    }
    if (fs.isEmpty()) {
      throw new IllegalArgumentException("fs must name at least one operation");
    }
    this.lastHealNanos = lastHealNanos;
    this.boundNanos = boundNanos;
    this.fs = Set.copyOf(fs);
  }

  @Override
  public CheckResult check(History history) {
    String what = String.join("/", new TreeSet<>(fs));
    List<Pair> pairs;
    try {
      pairs = history.pairs(op -> op.isClient() && fs.contains(op.f()));
    } catch (IllegalStateException e) {
      return new CheckResult("availability", Verdict.UNKNOWN, "cannot check: malformed history: "
          + e.getMessage(), List.of(e.getMessage()), Map.of());
    }
    Pair first = null;
    int afterHeal = 0;
    for (Pair p : pairs) {
      if (p.invoke().timeNanos() < lastHealNanos) {
        continue;
      }
      afterHeal++;
      if (p.outcome() == OpType.OK && (first == null || Precedence.before(p.completion(), first.completion()))) {
        first = p;
      }
    }
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("bound-seconds", Describe.secondsValue(boundNanos));
    stats.put("attempts-after-heal", afterHeal);
    String bound = Describe.seconds(boundNanos);
    if (first != null) {
      long took = first.completion().timeNanos() - lastHealNanos;
      stats.put("recovery-seconds", Describe.secondsValue(took));
      if (took <= boundNanos) {
        return new CheckResult("availability", Verdict.VALID, "recovered after " + Describe.seconds(took)
            + " (bound " + bound + ")", List.of(), stats);
      }
      return new CheckResult("availability", Verdict.INVALID, "no successful " + what + " within " + bound
          + " of the last heal", List.of("first successful " + what + " " + Describe.pair(first) + " completed "
          + Describe.seconds(took) + " after the last heal, bound " + bound), stats);
    }
    long observed = history.endNanos() - lastHealNanos;
    if (observed < boundNanos) {
      return new CheckResult("availability", Verdict.UNKNOWN, "history ends " + Describe.seconds(Math.max(0,
          observed)) + " after the last heal, before the " + bound + " bound elapsed, with no successful " + what,
          List.of(), stats);
    }
    return new CheckResult("availability", Verdict.INVALID, "no successful " + what + " within " + bound
        + " of the last heal", List.of(afterHeal + " " + what + " attempts after the heal, none succeeded"),
        stats);
  }
}
