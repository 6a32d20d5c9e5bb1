package io.pgquorum.jepsen.gen;

import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.FaultKind;
import io.pgquorum.jepsen.fault.FaultKinds;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.Step;
import io.pgquorum.jepsen.fault.Target;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Greedy shrinking of a failing schedule to a smaller one that still fails. Every candidate is tested with
 * {@code stillFails}, and only candidates for which it returned true are kept, so the result always fails (it is
 * {@code failing} itself when nothing smaller does). Each call of {@code stillFails} counts against
 * {@code maxAttempts}; an identical candidate is never tested twice.
 *
 * <p>Passes, repeated until a whole round changes nothing or the budget runs out:
 * <ol>
 *   <li>drop steps: chunks of half the steps, then quarters ..., then single steps;</li>
 *   <li>simplify faults: targets to {@code node:0} (then {@code replica:N} to {@code replica:0}), partition shapes
 *       to {@code ISOLATE}, clock rates halfway toward 1.0 while at least {@link #MIN_SKEW} away from it, loss
 *       probabilities and delays halved down to {@link #MIN_LOSS} and 1 ms;</li>
 *   <li>shorten durations: try {@link #MIN_DURATION_MILLIS}, else bisect between it and the current duration;</li>
 *   <li>move starts earlier: try 0, else bisect.</li>
 * </ol>
 * Bisection stops at 10 ms or 2 % of the value, whichever is larger: trials of full clusters take many seconds,
 * and a minimal schedule does not need millisecond precision.
 */
public final class Shrinker {
  /** Shortest step the shrinker proposes. */
  public static final long MIN_DURATION_MILLIS = 100;
  /** Clock rates stop shrinking this close to 1.0 (closer would no longer be a skew worth reporting). */
  public static final double MIN_SKEW = 0.01;
  /** Loss probabilities stop shrinking below this. */
  public static final double MIN_LOSS = 0.01;

  private final Predicate<Schedule> stillFails;
  private final int maxAttempts;
  private final Set<List<Step>> tried = new HashSet<>();
  private Schedule best;
  private int attempts;

  private Shrinker(Schedule failing, Predicate<Schedule> stillFails, int maxAttempts) {
    this.best = failing;
    this.stillFails = stillFails;
    this.maxAttempts = maxAttempts;
    tried.add(failing.steps());
  }

  /**
   * The smallest failing schedule found within {@code maxAttempts} calls of {@code stillFails}.
   *
   * @param failing a schedule known to fail (not re-tested)
   */
  public static Schedule shrink(Schedule failing, Predicate<Schedule> stillFails, int maxAttempts) {
    return run(failing, stillFails, maxAttempts).best;
  }

  /** Like {@link #shrink} but also says how many attempts were used. */
  static Shrinker run(Schedule failing, Predicate<Schedule> stillFails, int maxAttempts) {
    Shrinker s = new Shrinker(failing, stillFails, Math.max(0, maxAttempts));
    boolean changed = true;
    while (changed && !s.exhausted()) {
      changed = s.dropSteps();
      changed |= s.simplifyFaults();
      changed |= s.shortenDurations();
      changed |= s.moveEarlier();
    }
    return s;
  }

  Schedule best() {
    return best;
  }

  int attempts() {
    return attempts;
  }

  private boolean exhausted() {
    return attempts >= maxAttempts;
  }

  /** Tests the candidate steps (sorted by start); keeps them if they still fail. */
  private boolean tryKeep(List<Step> steps) {
    List<Step> sorted = new ArrayList<>(steps);
    sorted.sort(Comparator.comparingLong(Step::atMillis));
    if (exhausted() || !tried.add(List.copyOf(sorted))) {
      return false;
    }
    attempts++;
    Schedule candidate = new Schedule(best.name(), best.seed(), best.nodes(), sorted, best.quietMillis());
    if (stillFails.test(candidate)) {
      best = candidate;
      return true;
    }
    return false;
  }

  private boolean dropSteps() {
    boolean changed = false;
    int chunk = Math.max(1, best.steps().size() / 2);
    while (!exhausted() && !best.steps().isEmpty()) {
      int start = 0;
      while (start < best.steps().size() && !exhausted()) {
        List<Step> candidate = new ArrayList<>(best.steps());
        candidate.subList(start, Math.min(start + chunk, candidate.size())).clear();
        if (tryKeep(candidate)) {
          changed = true; // the next chunk slid into this position: try it at the same start
        } else {
          start += chunk;
        }
      }
      if (chunk == 1) {
        break;
      }
      chunk = Math.max(1, chunk / 2);
    }
    return changed;
  }

  private boolean simplifyFaults() {
    boolean changed = false;
    for (int i = 0; i < best.steps().size() && !exhausted(); i++) {
      boolean progress = true;
      while (progress && !exhausted()) {
        progress = false;
        Step step = best.steps().get(i);
        for (Fault f : simpler(step.fault())) {
          List<Step> candidate = new ArrayList<>(best.steps());
          candidate.set(i, new Step(step.atMillis(), step.durationMillis(), f));
          if (tryKeep(candidate)) {
            // Start times are unchanged, so the step is still at index i.
            changed = progress = true;
            break;
          }
        }
      }
    }
    return changed;
  }

  private boolean shortenDurations() {
    boolean changed = false;
    for (int i = 0; i < best.steps().size() && !exhausted(); i++) {
      final int at = i;
      changed |= bisect(best.steps().get(i).durationMillis(), MIN_DURATION_MILLIS, d -> {
        Step s = best.steps().get(at);
        List<Step> candidate = new ArrayList<>(best.steps());
        candidate.set(at, new Step(s.atMillis(), d, s.fault()));
        return tryKeep(candidate); // durations do not change the order
      });
    }
    return changed;
  }

  private boolean moveEarlier() {
    boolean changed = false;
    // Moving step i earlier only moves it to an index <= i, and steps after i keep their index: ascending i visits
    // every step once.
    for (int i = 0; i < best.steps().size() && !exhausted(); i++) {
      Step original = best.steps().get(i);
      Step[] current = {original};
      changed |= bisect(original.atMillis(), 0, a -> {
        List<Step> candidate = new ArrayList<>(best.steps());
        candidate.remove(current[0]);
        Step moved = new Step(a, current[0].durationMillis(), current[0].fault());
        candidate.add(moved);
        if (tryKeep(candidate)) {
          current[0] = moved;
          return true;
        }
        return false;
      });
    }
    return changed;
  }

  /**
   * Finds a small value in {@code [floor, value]} that keeps failing: tries the floor, then bisects between the
   * last value that passed and the last that failed.
   */
  private boolean bisect(long value, long floor, java.util.function.LongPredicate keep) {
    if (value <= floor || exhausted()) {
      return false;
    }
    if (keep.test(floor)) {
      return true;
    }
    long passes = floor;
    long fails = value;
    boolean changed = false;
    while (!exhausted() && fails - passes > Math.max(10, fails / 50)) {
      long mid = passes + (fails - passes) / 2;
      if (keep.test(mid)) {
        fails = mid;
        changed = true;
      } else {
        passes = mid;
      }
    }
    return changed;
  }

  /** Simpler variants of a fault, most promising first (each kind says which: {@link FaultKinds#simpler}). */
  static List<Fault> simpler(Fault f) {
    return FaultKinds.simpler(f);
  }

  /** Simpler targets: node:0 is the simplest; replica:N becomes replica:0 if node:0 does not fail. */
  static List<Target> simpler(Target t) {
    return FaultKind.simpler(t);
  }
}
