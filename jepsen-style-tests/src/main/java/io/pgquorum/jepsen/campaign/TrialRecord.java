package io.pgquorum.jepsen.campaign;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One trial of a campaign, as the aggregate report keeps it (plain values, so it round-trips through JSON).
 *
 * @param cell the cell's name
 * @param seed the generator seed (0 for a replayed, hand-written schedule)
 * @param schedule the schedule's name
 * @param steps how many fault steps it had
 * @param kinds the fault kinds among its steps
 * @param status PASSED, FAILED, UNKNOWN (no checker INVALID, one undecided) or ERROR (the trial could not be run)
 * @param error why the trial could not be run (ERROR), else null
 * @param verdicts checker name to VALID / INVALID / UNKNOWN, in the trial's order
 * @param asserted the checkers that decide the trial (the others are measurements)
 * @param summaries checker name to its one-line summary
 * @param recoverySeconds seconds from the last heal to the first successful write (availability), or null
 * @param lost acknowledged writes lost (durability), or null (DCS runs)
 * @param lostOutsideWindow of those, lost beyond what maximum_lag_on_failover allows, or null
 * @param seconds how long the trial took, wall time
 * @param dir the trial's directory, relative to the campaign's
 * @param replay the command that replays it
 * @param minimal the shrunk schedule's file relative to the campaign's directory, or null
 */
public record TrialRecord(String cell, long seed, String schedule, int steps, List<String> kinds, String status,
    String error, Map<String, String> verdicts, List<String> asserted, Map<String, String> summaries,
    Double recoverySeconds, Long lost, Long lostOutsideWindow, double seconds, String dir, String replay,
    String minimal) {

  public static final String PASSED = "PASSED";
  public static final String FAILED = "FAILED";
  public static final String UNKNOWN = "UNKNOWN";
  public static final String ERROR = "ERROR";

  public TrialRecord {
    kinds = List.copyOf(kinds);
    verdicts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(verdicts));
    asserted = List.copyOf(asserted);
    summaries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(summaries));
    if (!List.of(PASSED, FAILED, UNKNOWN, ERROR).contains(status)) {
      throw new IllegalArgumentException("status must be PASSED, FAILED, UNKNOWN or ERROR, got " + status);
    }
  }

  /** The same record with the shrunk schedule's file. */
  public TrialRecord withMinimal(String file) {
    return new TrialRecord(cell, seed, schedule, steps, kinds, status, error, verdicts, asserted, summaries,
        recoverySeconds, lost, lostOutsideWindow, seconds, dir, replay, file);
  }
}
