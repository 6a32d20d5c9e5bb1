package io.pgquorum.jepsen.gen;

import io.pgquorum.jepsen.fault.Schedule;
import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of a {@link PropertyRun}.
 *
 * @param property the property's name (also the regression file prefix)
 * @param seedsRun the seeds whose trials ran, in order (the failing one last)
 * @param failingSeed the first seed that failed, or null when every trial passed
 * @param failing the generated schedule that failed, or null
 * @param minimal the shrunk schedule (still failing), or null
 * @param savedTo the regression file the minimal schedule was saved to, or null (passed, or no directory given)
 * @param shrinkAttempts trials spent shrinking
 * @param message for people: seed, replay flag, both schedules as JSON and the saved file; "" when passed
 */
public record PropertyReport(String property, List<Long> seedsRun, Long failingSeed, Schedule failing,
    Schedule minimal, Path savedTo, int shrinkAttempts, String message) {

  public PropertyReport {
    seedsRun = List.copyOf(seedsRun);
  }

  public boolean passed() {
    return failingSeed == null;
  }
}
