package io.pgquorum.jepsen.runner;

import io.pgquorum.jepsen.fault.Schedule;
import java.nio.file.Path;

/** Runs one schedule against a fresh cluster and checks the history. */
public interface Trial {
  /**
   * The run writes its history, schedule, report and cluster logs under {@code dir}, or under {@code dir-2},
   * {@code dir-3} ... when {@code dir} already holds an earlier run ({@link TrialResult#dir()} says which).
   */
  TrialResult run(Schedule schedule, Path dir);
}
