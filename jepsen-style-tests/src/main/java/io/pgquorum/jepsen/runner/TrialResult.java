package io.pgquorum.jepsen.runner;

import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.history.History;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One schedule run against one fresh cluster: the history, every checker's result, and where the files are.
 *
 * <p>The run's {@link #status()}: FAILED when an asserted checker found the history INVALID (or did not run at
 * all), UNKNOWN when none did but one could not decide (a search budget ran out, a workload recorded nothing),
 * PASSED only when every asserted checker said VALID. UNKNOWN is not a pass: {@link #passed()} is false, and a
 * campaign may tolerate at most an explicit, reported number of them ({@code --max-unknown}).
 *
 * @param asserted names of the checkers whose verdict decides the run; the others are measurements (the raw set
 *     loss count)
 * @param dir the run directory ({@code history.jsonl}, {@code report.html}, {@code schedule.json}, node logs)
 */
public record TrialResult(Schedule schedule, History history, List<CheckResult> results, Set<String> asserted,
    Path dir) {

  public TrialResult {
    results = List.copyOf(results);
    asserted = Set.copyOf(asserted);
  }

  /** A run's outcome. */
  public enum Status {
    PASSED, FAILED, UNKNOWN
  }

  /** See the class comment. */
  public Status status() {
    Map<String, Verdict> failed = failures();
    if (failed.containsValue(Verdict.INVALID)) {
      return Status.FAILED;
    }
    return failed.isEmpty() ? Status.PASSED : Status.UNKNOWN;
  }

  /** True only when every asserted checker found the history VALID. */
  public boolean passed() {
    return status() == Status.PASSED;
  }

  /**
   * The asserted checkers that did not say VALID, with their verdicts, in the order the results were given (an
   * asserted checker that did not run counts as INVALID: the run cannot vouch for its property).
   */
  public Map<String, Verdict> failures() {
    Map<String, Verdict> out = new LinkedHashMap<>();
    for (CheckResult r : results) {
      if (asserted.contains(r.checker()) && r.verdict() != Verdict.VALID) {
        out.putIfAbsent(r.checker(), r.verdict());
      }
    }
    for (String a : new java.util.TreeSet<>(asserted)) {
      if (results.stream().noneMatch(r -> r.checker().equals(a))) {
        out.put(a, Verdict.INVALID);
      }
    }
    return out;
  }

  /** The result of the named checker; throws if it did not run. */
  public CheckResult result(String checker) {
    return results.stream().filter(r -> r.checker().equals(checker)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no checker named " + checker + " in this run"));
  }

  /** Deletes the run's bulky state (data directories, Raft logs), keeping history, report, schedule and logs. */
  public void pruneBulk() {
    Runs.pruneBulk(dir);
  }

  /** A few lines for a terminal: schedule, verdicts, where the report is. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append("schedule ").append(schedule.name()).append(" (seed ").append(schedule.seed()).append(", ")
        .append(schedule.steps().size()).append(" steps): ").append(status()).append('\n');
    for (CheckResult r : results) {
      sb.append(String.format("  %-9s %-34s %s%s%n", r.verdict(), r.checker(), r.summary(),
          asserted.contains(r.checker()) ? "" : "  [measured]"));
    }
    sb.append("  history: ").append(dir.resolve("history.jsonl")).append('\n');
    sb.append("  report:  ").append(dir.resolve("report.html"));
    return sb.toString();
  }
}
