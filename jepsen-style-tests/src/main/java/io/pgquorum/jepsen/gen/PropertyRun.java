package io.pgquorum.jepsen.gen;

import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.ScheduleJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Property-based runs of fault schedules, shared by the tests and the command-line runner.
 *
 * <p>{@link #check} generates one schedule per seed and runs a trial on it. On the first failure it prints the
 * seed, the schedule and the replay flag at once (to {@code System.err}, before shrinking, which may take long or
 * be interrupted), shrinks the schedule with the same trial, saves the minimal one as
 * {@code <regressionDir>/<property>-seed-<seed>.json}, and throws a {@link PropertyFailure} whose message has the
 * seed and the minimal schedule. Saved schedules are replayed on every later run ({@link #regressions}).
 *
 * <p>Shrinking keeps the original failure: a candidate is kept only if the checker that failed first in the
 * original (INVALID before UNKNOWN) fails again with the same verdict ({@link TrialOutcome#reproduces}); a
 * candidate that fails another checker instead is a different bug, not a smaller example of this one.
 *
 * <p>Seeds: {@link #baseSeed} is fresh for every JVM (so CI explores new schedules on every run) and printed
 * once; {@code -Djepsen.baseSeed=<n>} fixes it, {@code -Djepsen.seed=<seed>} makes {@link #seeds} return just
 * that seed, {@code -Djepsen.schedules=<count>} changes how many seeds a run draws.
 */
public final class PropertyRun {
  /** System property that replaces the seed list with one seed. */
  public static final String SEED_PROPERTY = "jepsen.seed";
  /** System property that overrides how many seeds a run draws. */
  public static final String COUNT_PROPERTY = "jepsen.schedules";
  /** System property that fixes the base seed ({@link #baseSeed}). */
  public static final String BASE_SEED_PROPERTY = "jepsen.baseSeed";

  private static Long base;

  private PropertyRun() {
  }

  /**
   * This JVM's base seed: {@code -Djepsen.baseSeed} when set, else drawn once from {@link SecureRandom} (below
   * 2^40, so it stays readable). The first call prints {@code "jepsen base seed N (replay with ...)"}.
   */
  public static synchronized long baseSeed() {
    if (base == null) {
      String fixed = System.getProperty(BASE_SEED_PROPERTY);
      base = fixed != null && !fixed.isBlank() ? parse(BASE_SEED_PROPERTY, fixed)
          : new SecureRandom().nextLong() & ((1L << 40) - 1);
      System.out.println(baseSeedLine());
      System.err.println(baseSeedLine());
    }
    return base;
  }

  /** The line {@link #baseSeed} prints; also part of every failure message. */
  static synchronized String baseSeedLine() {
    return base == null ? "no jepsen base seed drawn" : "jepsen base seed " + base + " (replay with -D"
        + BASE_SEED_PROPERTY + "=" + base + ", or one schedule with -D" + SEED_PROPERTY + "=<seed>)";
  }

  /**
   * The seeds {@code base, base+1, ... base+count-1}, or only {@code -Djepsen.seed} when that is set;
   * {@code -Djepsen.schedules} overrides {@code count}.
   */
  public static List<Long> seeds(long base, int count) {
    String one = System.getProperty(SEED_PROPERTY);
    if (one != null && !one.isBlank()) {
      return List.of(parse(SEED_PROPERTY, one));
    }
    String n = System.getProperty(COUNT_PROPERTY);
    long c = n == null || n.isBlank() ? count : parse(COUNT_PROPERTY, n);
    if (c < 0 || c > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("-D" + COUNT_PROPERTY + " must be a count of schedules, got " + c);
    }
    List<Long> out = new ArrayList<>();
    for (long i = 0; i < c; i++) {
      out.add(base + i);
    }
    return out;
  }

  /**
   * Runs the property over the seeds; returns the report when every trial passed.
   *
   * @param property a file-name-safe name, e.g. {@code "p1-single-primary"}
   * @param trial runs one schedule and says which asserted checkers failed
   * @param regressionDir where the minimal failing schedule is saved, or null to not save
   * @param shrinkAttempts trials the shrinker may spend
   * @throws PropertyFailure on the first failing seed (after shrinking)
   * @throws IllegalStateException when a trial throws on a generated schedule (named with its seed)
   */
  public static PropertyReport check(String property, List<Long> seeds, ScheduleGenerator gen,
      PropertyTrial trial, Path regressionDir, int shrinkAttempts) {
    if (!property.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("property name must be usable in a file name, got \"" + property + "\"");
    }
    List<Long> ran = new ArrayList<>();
    for (long seed : seeds) {
      ran.add(seed);
      Schedule schedule = gen.generate(seed);
      TrialOutcome outcome;
      try {
        outcome = run(trial, schedule);
      } catch (RuntimeException e) {
        throw new IllegalStateException("property " + property + ", seed " + seed + ": the trial itself failed ("
            + e.getMessage() + "); replay with -D" + SEED_PROPERTY + "=" + seed, e);
      }
      if (!outcome.passed()) {
        return fail(property, ran, seed, schedule, outcome, trial, regressionDir, shrinkAttempts);
      }
    }
    return new PropertyReport(property, ran, null, null, null, null, 0, "");
  }

  /**
   * Replays fixed schedules (typically {@link #regressions}) without generating or shrinking: every one must
   * pass. Throws a {@link PropertyFailure} naming the first that fails, with its JSON.
   */
  public static PropertyReport replay(String property, List<Schedule> schedules, PropertyTrial trial) {
    List<Long> ran = new ArrayList<>();
    for (Schedule s : schedules) {
      ran.add(s.seed());
      TrialOutcome outcome;
      try {
        outcome = run(trial, s);
      } catch (RuntimeException e) {
        throw new IllegalStateException("property " + property + ", regression schedule " + s.name()
            + ": the trial itself failed (" + e.getMessage() + ")", e);
      }
      if (!outcome.passed()) {
        String message = "property " + property + " failed again on regression schedule " + s.name()
            + " (seed " + s.seed() + ", " + outcome + "):\n" + ScheduleJson.write(s);
        System.err.println(message);
        throw new PropertyFailure(new PropertyReport(property, ran, s.seed(), s, s, null, 0, message));
      }
    }
    return new PropertyReport(property, ran, null, null, null, null, 0, "");
  }

  /** All saved schedules in {@code dir} ({@code *.json}), sorted by file name; empty when dir does not exist. */
  public static List<Schedule> regressions(Path dir) {
    return regressions(dir, "");
  }

  /**
   * The saved schedules of one property, sorted by file name: {@code <property>-seed-*.json} and the per-size
   * variants {@code <property>-<nodes>-seed-*.json} (a 5-member campaign of property {@code dcs} runs as
   * {@code dcs-5}; the schedule file carries its node count, so one replay covers every size). The {@code -seed-}
   * keeps property {@code p} from picking up the files of {@code p-kill}. Hand-written regressions of a property
   * follow the same pattern, e.g. {@code p1-seed-0-isolate-primary.json}.
   */
  public static List<Schedule> regressions(Path dir, String property) {
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".json"))
          .filter(p -> property.isEmpty() || belongsTo(p.getFileName().toString(), property))
          .sorted()
          .map(ScheduleJson::load)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list regression schedules in " + dir, e);
    }
  }

  /** True when {@code fileName} is a regression of {@code property} ({@code <property>[-<n>]-seed-...}). */
  public static boolean belongsTo(String fileName, String property) {
    return fileName.matches(java.util.regex.Pattern.quote(property) + "(-\\d+)?-seed-.*");
  }

  /** The regression file name for a property and seed. */
  public static String regressionFileName(String property, long seed) {
    return property + "-seed-" + seed + ".json";
  }

  private static PropertyReport fail(String property, List<Long> ran, long seed, Schedule schedule,
      TrialOutcome original, PropertyTrial trial, Path regressionDir, int shrinkAttempts) {
    String replay = "-D" + SEED_PROPERTY + "=" + seed;
    String keep = original.target().map(t -> t.getKey() + " " + t.getValue()).orElse("?");
    System.err.println("property " + property + " FAILED for seed " + seed + " (" + original + "; replay with "
        + replay + "); " + baseSeedLine() + "; schedule:\n" + ScheduleJson.write(schedule)
        + "\nshrinking (up to " + shrinkAttempts + " trials, keeping " + keep + ") ...");
    Shrinker shrinker = Shrinker.run(schedule, candidate -> {
      try {
        TrialOutcome o = run(trial, candidate);
        if (!o.passed() && !o.reproduces(original)) {
          System.err.println("shrink candidate not kept: it failed differently (" + o + "), not " + keep);
        }
        return o.reproduces(original);
      } catch (RuntimeException e) {
        // A candidate the trial cannot even run is not evidence of the same failure.
        System.err.println("shrink candidate not kept, the trial threw: " + e);
        return false;
      }
    }, shrinkAttempts);
    Schedule minimal = shrinker.best();
    minimal = new Schedule("seed-" + seed + "-minimal", minimal.seed(), minimal.nodes(), minimal.steps(),
        minimal.quietMillis());
    Path saved = null;
    if (regressionDir != null) {
      saved = regressionDir.resolve(regressionFileName(property, seed));
      ScheduleJson.save(minimal, saved);
    }
    String message = "property " + property + " failed for seed " + seed + " (" + original + "; replay with "
        + replay + "; " + baseSeedLine() + ")\n"
        + "generated schedule:\n" + ScheduleJson.write(schedule) + "\n"
        + "minimal schedule still failing " + keep + " (" + minimal.steps().size() + " of "
        + schedule.steps().size() + " steps, " + shrinker.attempts() + " shrink trials):\n"
        + ScheduleJson.write(minimal)
        + (saved == null ? "" : "\nsaved as regression " + saved);
    System.err.println(message);
    throw new PropertyFailure(new PropertyReport(property, ran, seed, schedule, minimal, saved,
        shrinker.attempts(), message));
  }

  private static long parse(String property, String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + property + " must be a whole number, got \"" + value + "\"");
    }
  }

  private static TrialOutcome run(PropertyTrial trial, Schedule s) {
    TrialOutcome o = trial.run(s);
    if (o == null) {
      throw new IllegalStateException("the trial returned null for " + s.name());
    }
    return o;
  }
}
