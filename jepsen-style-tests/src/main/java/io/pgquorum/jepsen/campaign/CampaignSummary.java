package io.pgquorum.jepsen.campaign;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The aggregate of a campaign's trials, per cell and in total: how many ran, passed, failed, were undecided or
 * could not be run; every checker's verdict counts; recovery-time figures; acknowledged writes lost. Pure.
 *
 * <p>The campaign fails when a trial FAILED, or when more trials were UNKNOWN than {@code maxUnknown} allows
 * (UNKNOWN never counts as a pass; the cap is explicit and reported).
 *
 * @param title what the campaign was (for the report's heading)
 * @param baseSeed the seed the cells' schedules were generated from
 * @param maxUnknown UNKNOWN trials tolerated
 * @param cells each cell's aggregate, in matrix order
 * @param total every trial together
 * @param trials every trial, in run order
 */
public record CampaignSummary(String title, long baseSeed, int maxUnknown, List<CellSummary> cells,
    CellSummary total, List<TrialRecord> trials) {

  /**
   * One cell's (or the campaign's) figures.
   *
   * @param verdicts checker to verdict to count
   * @param recovery availability recovery seconds over the trials that recovered
   */
  public record CellSummary(String cell, int planned, int runs, int passed, int failed, int unknown, int errors,
      Map<String, Map<String, Integer>> verdicts, Figures recovery, long lost, long lostOutsideWindow,
      double seconds) {
  }

  /** Count, minimum, median, 95th percentile and maximum of some measurements (all null when there are none). */
  public record Figures(int count, Double min, Double median, Double p95, Double max) {
    static Figures of(List<Double> values) {
      if (values.isEmpty()) {
        return new Figures(0, null, null, null, null);
      }
      List<Double> v = new ArrayList<>(values);
      v.sort(Double::compare);
      return new Figures(v.size(), v.get(0), rank(v, 0.5), rank(v, 0.95), v.get(v.size() - 1));
    }

    /** Nearest-rank percentile. */
    private static Double rank(List<Double> sorted, double q) {
      int i = (int) Math.ceil(q * sorted.size()) - 1;
      return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
  }

  /**
   * Aggregates trials into cells.
   *
   * @param planned cell name to planned trial count, in matrix order (cells without trials yet are listed too)
   */
  public static CampaignSummary of(String title, long baseSeed, int maxUnknown, Map<String, Integer> planned,
      List<TrialRecord> trials) {
    Map<String, List<TrialRecord>> byCell = new LinkedHashMap<>();
    planned.keySet().forEach(c -> byCell.put(c, new ArrayList<>()));
    for (TrialRecord t : trials) {
      byCell.computeIfAbsent(t.cell(), c -> new ArrayList<>()).add(t);
    }
    List<CellSummary> cells = new ArrayList<>();
    for (Map.Entry<String, List<TrialRecord>> e : byCell.entrySet()) {
      cells.add(cell(e.getKey(), planned.getOrDefault(e.getKey(), e.getValue().size()), e.getValue()));
    }
    int plannedTotal = 0;
    for (CellSummary c : cells) {
      plannedTotal += c.planned();
    }
    return new CampaignSummary(title, baseSeed, maxUnknown, List.copyOf(cells), cell("total", plannedTotal,
        trials), List.copyOf(trials));
  }

  private static CellSummary cell(String name, int planned, List<TrialRecord> trials) {
    int passed = 0;
    int failed = 0;
    int unknown = 0;
    int errors = 0;
    long lost = 0;
    long outside = 0;
    double seconds = 0;
    Map<String, Map<String, Integer>> verdicts = new TreeMap<>();
    List<Double> recovery = new ArrayList<>();
    for (TrialRecord t : trials) {
      switch (t.status()) {
        case TrialRecord.PASSED -> passed++;
        case TrialRecord.FAILED -> failed++;
        case TrialRecord.UNKNOWN -> unknown++;
        default -> errors++;
      }
      t.verdicts().forEach((checker, v) -> verdicts.computeIfAbsent(checker, k -> new TreeMap<>())
          .merge(v, 1, Integer::sum));
      if (t.recoverySeconds() != null) {
        recovery.add(t.recoverySeconds());
      }
      lost += t.lost() == null ? 0 : t.lost();
      outside += t.lostOutsideWindow() == null ? 0 : t.lostOutsideWindow();
      seconds += t.seconds();
    }
    return new CellSummary(name, planned, trials.size(), passed, failed, unknown, errors, verdicts,
        Figures.of(recovery), lost, outside, seconds);
  }

  /** True when no trial failed and the UNKNOWN trials stay within the cap (errors are judged separately). */
  public boolean passed() {
    return total.failed() == 0 && total.unknown() <= maxUnknown;
  }

  /** One line for a terminal. */
  public String line() {
    return total.runs() + " of " + total.planned() + " trials run: " + total.passed() + " passed, "
        + total.failed() + " failed, " + total.unknown() + " unknown (at most " + maxUnknown + " allowed), "
        + total.errors() + " could not be run";
  }
}
