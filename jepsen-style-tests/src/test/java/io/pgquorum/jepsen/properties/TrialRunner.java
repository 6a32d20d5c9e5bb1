package io.pgquorum.jepsen.properties;

import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.gen.PropertyRun;
import io.pgquorum.jepsen.gen.PropertyTrial;
import io.pgquorum.jepsen.gen.TrialOutcome;
import io.pgquorum.jepsen.runner.Trial;
import io.pgquorum.jepsen.runner.TrialResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Glue between {@link io.pgquorum.jepsen.gen.PropertyRun} and a {@link Trial} for the property tests: every run
 * goes to {@code target/jepsen-runs/<property>/<schedule>[-k]}, its summary is printed, and a passed run's bulky
 * state (data directories) is deleted while its history and report stay. A run passes only when every asserted
 * checker says VALID (UNKNOWN fails, see {@link TrialResult#status()}).
 */
final class TrialRunner implements PropertyTrial {
  /** Where new minimal failing schedules are saved: the source tree, so they are committed and replayed. */
  static final Path REGRESSIONS = Path.of("src/test/resources/regressions");
  static final Path PLANTED = Path.of("src/test/resources/planted");

  private final String property;
  private final Trial trial;
  private int runs;
  private TrialResult last;

  TrialRunner(String property, Trial trial) {
    this.property = property;
    this.trial = trial;
  }

  @Override
  public TrialOutcome run(Schedule schedule) {
    return new TrialOutcome(result(schedule).failures());
  }

  TrialResult result(Schedule schedule) {
    Path dir = Path.of("target", "jepsen-runs", property, schedule.name() + "-" + (++runs));
    TrialResult r = trial.run(schedule, dir);
    System.out.println(r.summary());
    last = r;
    if (r.passed()) {
      r.pruneBulk();
    }
    return r;
  }

  TrialResult last() {
    return last;
  }

  /**
   * Saved schedules of {@code property} in the regression directory, every cluster size
   * ({@link PropertyRun#belongsTo}), minus the long-only ones ({@code ...-seed-0-long-...}) unless asked.
   */
  static List<Schedule> regressions(String property, boolean includeLong) throws java.io.IOException {
    try (var files = Files.list(REGRESSIONS)) {
      return files.filter(p -> PropertyRun.belongsTo(p.getFileName().toString(), property))
          .filter(p -> includeLong || !p.getFileName().toString().contains("-seed-0-long-"))
          .sorted()
          .map(io.pgquorum.jepsen.fault.ScheduleJson::load)
          .toList();
    }
  }
}
