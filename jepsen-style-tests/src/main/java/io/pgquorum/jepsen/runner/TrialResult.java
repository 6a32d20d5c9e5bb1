package io.pgquorum.jepsen.runner;

import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.history.History;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * One schedule run against one fresh cluster: the history, every checker's result, and where the files are.
 *
 * @param asserted names of the checkers whose verdict decides the run; the others are measurements (P2 in
 *     asynchronous mode)
 * @param dir the run directory ({@code history.jsonl}, {@code report.html}, {@code schedule.json}, node logs)
 */
public record TrialResult(Schedule schedule, History history, List<CheckResult> results, Set<String> asserted,
    Path dir) {

  public TrialResult {
    results = List.copyOf(results);
    asserted = Set.copyOf(asserted);
  }

  /** True unless an asserted checker found the history INVALID (UNKNOWN is reported, not a failure). */
  public boolean passed() {
    return results.stream().noneMatch(r -> asserted.contains(r.checker()) && r.verdict() == Verdict.INVALID);
  }

  /** The result of the named checker; throws if it did not run. */
  public CheckResult result(String checker) {
    return results.stream().filter(r -> r.checker().equals(checker)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no checker named " + checker + " in this run"));
  }

  /** A few lines for a terminal: schedule, verdicts, where the report is. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append("schedule ").append(schedule.name()).append(" (seed ").append(schedule.seed()).append(", ")
        .append(schedule.steps().size()).append(" steps): ").append(passed() ? "PASSED" : "FAILED").append('\n');
    for (CheckResult r : results) {
      sb.append(String.format("  %-9s %-34s %s%s%n", r.verdict(), r.checker(), r.summary(),
          asserted.contains(r.checker()) ? "" : "  [measured]"));
    }
    sb.append("  history: ").append(dir.resolve("history.jsonl")).append('\n');
    sb.append("  report:  ").append(dir.resolve("report.html"));
    return sb.toString();
  }
}
