package io.pgquorum.jepsen.runner;

import io.pgquorum.dcs.planted.DcsBug;
import io.pgquorum.dcs.planted.PlantedBugs;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.ScheduleJson;
import io.pgquorum.jepsen.gen.GeneratorSettings;
import io.pgquorum.jepsen.gen.ScheduleGenerator;
import io.pgquorum.jepsen.gen.Shrinker;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bin/jepsen-run}: runs a named (saved) or seeded schedule against a fresh local cluster and writes the
 * history and the report to a directory. See {@link RunOptions#USAGE} and the module's README.
 */
public final class JepsenRun {
  private JepsenRun() {
  }

  public static void main(String[] args) {
    // gRPC (inside Ratis) logs through java.util.logging; only warnings belong on a user's terminal.
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    System.exit(run(args, System.out, System.err));
  }

  /** The whole command; returns the exit status (0 held, 1 a property failed, 2 usage or setup error). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    RunOptions o;
    try {
      o = RunOptions.parse(args);
    } catch (RunOptions.UsageException e) {
      if (!e.getMessage().isEmpty()) {
        err.println("jepsen-run: " + e.getMessage());
        err.println(RunOptions.USAGE);
        return 2;
      }
      out.println(RunOptions.USAGE);
      return 0;
    }
    List<Schedule> schedules = new ArrayList<>();
    ScheduleGenerator gen = null;
    try {
      if (o.scheduleFile() != null) {
        schedules.add(ScheduleJson.load(o.scheduleFile()));
      } else {
        GeneratorSettings settings = o.target().equals("dcs") ? GeneratorSettings.dcs(o.nodes())
            : GeneratorSettings.fullStack(o.nodes());
        if (o.kinds() != null) {
          settings = settings.withKinds(o.kinds());
        }
        gen = new ScheduleGenerator(settings);
        long base = o.seed() != null ? o.seed() : new SecureRandom().nextLong() & Long.MAX_VALUE;
        for (int i = 0; i < o.schedules(); i++) {
          schedules.add(gen.generate(base + i));
        }
      }
    } catch (RuntimeException e) {
      err.println("jepsen-run: " + e.getMessage());
      return 2;
    }
    Trial trial = o.target().equals("dcs") ? new DcsTrial(o.plantedBug() == null ? PlantedBugs.NONE
        : PlantedBugs.of(DcsBug.valueOf(o.plantedBug().toUpperCase(java.util.Locale.ROOT).replace('-', '_'))))
        : new StackTrial(StackTrial.Settings.defaults().withNetwork(o.network(), o.nodeUser())
            .withPlantedBug(o.plantedBug()));
    int failed = 0;
    for (Schedule s : schedules) {
      out.println("running " + s.name() + " (seed " + s.seed() + ", " + s.steps().size() + " steps, "
          + s.totalMillis() / 1000 + " s) against a fresh " + o.target() + " cluster of " + s.nodes() + " ...");
      TrialResult r;
      try {
        r = trial.run(s, o.out().resolve(s.name()));
      } catch (RuntimeException | ExceptionInInitializerError e) {
        Throwable why = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
        err.println("jepsen-run: the run of " + s.name() + " could not be completed: " + why.getMessage());
        return 2;
      }
      out.println(r.summary());
      if (!r.passed()) {
        failed++;
        err.println("FAILED: replay with bin/jepsen-run --target " + o.target()
            + (o.plantedBug() != null ? " --planted-bug " + o.plantedBug() : "") + " --schedule "
            + r.dir().resolve("schedule.json")
            + (s.seed() != 0 ? " (or --seed " + s.seed() + ")" : ""));
        if (o.shrinkAttempts() > 0) {
          shrink(trial, s, o, out);
        }
      }
    }
    out.println(schedules.size() - failed + " of " + schedules.size() + " schedules passed");
    return failed == 0 ? 0 : 1;
  }

  private static void shrink(Trial trial, Schedule failing, RunOptions o, PrintStream out) {
    AtomicInteger attempt = new AtomicInteger();
    Schedule minimal = Shrinker.shrink(failing, candidate -> {
      int k = attempt.incrementAndGet();
      Path dir = o.out().resolve(failing.name() + "-shrink-" + k);
      try {
        boolean fails = !trial.run(candidate, dir).passed();
        out.println("  shrink attempt " + k + ": " + candidate.steps().size() + " steps -> "
            + (fails ? "still fails" : "passes"));
        return fails;
      } catch (RuntimeException e) {
        return false;
      }
    }, o.shrinkAttempts());
    Path saved = o.out().resolve(failing.name() + "-minimal.json");
    ScheduleJson.save(minimal, saved);
    out.println("minimal failing schedule (" + minimal.steps().size() + " steps) saved to " + saved);
  }
}
