package io.pgquorum.jepsen.runner;

import io.pgquorum.jepsen.campaign.CampaignJson;
import io.pgquorum.jepsen.campaign.CampaignSummary;
import io.pgquorum.jepsen.campaign.Cell;
import io.pgquorum.jepsen.campaign.TrialRecord;
import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.ScheduleJson;
import io.pgquorum.jepsen.fault.Step;
import io.pgquorum.jepsen.gen.GeneratorSettings;
import io.pgquorum.jepsen.gen.ScheduleGenerator;
import io.pgquorum.jepsen.gen.Shrinker;
import io.pgquorum.jepsen.gen.TrialOutcome;
import io.pgquorum.jepsen.report.CampaignHtml;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a campaign: every cell's schedules, one fresh cluster per trial, and keeps going whatever happens to a
 * trial. A trial that fails is recorded (and shrunk when asked, keeping the same checker's failure); one that
 * cannot be run at all (the cluster did not start, a fault is unsupported) is recorded as ERROR with the reason.
 * After every trial {@code campaign.json} and {@code campaign.html} are rewritten in the output directory, so a
 * long campaign can be watched, and interrupted without losing what ran.
 *
 * <p>Layout: {@code OUT/<cell>/<schedule>/} per trial ({@code OUT/<schedule>/} for a flat run of one cell: a plain
 * {@code bin/jepsen-run --seed} or {@code --schedule}). When a run has more than one trial, a passed trial's bulky
 * state (PostgreSQL data, Raft logs) is deleted; history, report, schedule and logs stay.
 */
public final class Campaign {
  /** Builds the trial for a cell, and the bin/jepsen-run flags that rebuild its cluster. */
  public interface TrialFactory {
    Runner forCell(Cell cell);
  }

  /** A cell's trial and its flags (e.g. {@code --target stack --ttl 4}). */
  public record Runner(Trial trial, String flags) {
  }

  /**
   * What to run.
   *
   * @param flat trial directories directly under {@code out} (one cell, as a plain run)
   */
  public record Plan(String title, List<Cell> cells, long baseSeed, int maxUnknown, int shrinkAttempts, Path out,
      boolean flat) {
    public Plan {
      cells = List.copyOf(cells);
    }

    /** Total trials planned. */
    public int trials() {
      return cells.stream().mapToInt(Cell::schedules).sum();
    }
  }

  private final Plan plan;
  private final TrialFactory factory;
  private final PrintStream out;
  private final List<TrialRecord> records = new ArrayList<>();
  private final Map<String, Integer> planned = new LinkedHashMap<>();

  public Campaign(Plan plan, TrialFactory factory, PrintStream out) {
    this.plan = plan;
    this.factory = factory;
    this.out = out;
    plan.cells().forEach(c -> planned.put(c.name(), c.schedules()));
  }

  /** The schedules of a cell: its saved file, or {@code schedules} generated from the base seed on. */
  public static List<Schedule> schedules(Cell cell, long baseSeed) {
    if (cell.schedule() != null) {
      return List.of(ScheduleJson.load(cell.schedule()));
    }
    GeneratorSettings g = cell.target().equals("dcs") ? GeneratorSettings.dcs(cell.nodes())
        : GeneratorSettings.fullStack(cell.nodes());
    if (cell.kinds() != null) {
      g = g.withKinds(cell.kinds());
    }
    ScheduleGenerator gen = new ScheduleGenerator(g);
    List<Schedule> out = new ArrayList<>();
    for (int i = 0; i < cell.schedules(); i++) {
      out.add(gen.generate(baseSeed + i));
    }
    return out;
  }

  /** Runs every trial; never throws for a trial's failure. Returns the final summary (also written to disk). */
  public CampaignSummary run() {
    int k = 0;
    int total = plan.trials();
    for (Cell cell : plan.cells()) {
      Path cellDir = plan.flat() ? plan.out() : plan.out().resolve(cell.name());
      List<Schedule> schedules;
      Runner runner;
      try {
        schedules = schedules(cell, plan.baseSeed());
        runner = factory.forCell(cell);
      } catch (RuntimeException e) {
        // The cell itself cannot be set up (an unreadable schedule file): each of its trials is an error.
        for (int i = 0; i < cell.schedules(); i++) {
          k++;
          record(new TrialRecord(cell.name(), plan.baseSeed() + i, "?", 0, List.of(), TrialRecord.ERROR,
              "cannot set up the cell: " + message(e), Map.of(), List.of(), Map.of(), null, null, null, 0, null,
              "bin/jepsen-run " + cell.flags(), null));
          out.println("[" + k + "/" + total + "] " + cell.name() + ": ERROR " + message(e));
        }
        continue;
      }
      for (Schedule s : schedules) {
        k++;
        out.println("[" + k + "/" + total + "] " + (plan.flat() ? "" : cell.name() + ": ") + "running "
            + s.name() + " (seed " + s.seed() + ", " + s.steps().size() + " steps, " + s.totalMillis() / 1000
            + " s) against a fresh " + cell.target() + " cluster of " + s.nodes() + " ...");
        TrialRecord r = runOne(cell, runner, s, cellDir);
        if (r.status().equals(TrialRecord.FAILED) || r.status().equals(TrialRecord.UNKNOWN)) {
          out.println("  replay: " + r.replay());
          if (plan.shrinkAttempts() > 0) {
            r = shrink(cell, runner, s, cellDir, r);
          }
        }
        record(r);
      }
    }
    CampaignSummary summary = summary();
    out.println(summary.line());
    out.println("campaign report: " + plan.out().resolve("campaign.html") + " (JSON: "
        + plan.out().resolve("campaign.json") + ")");
    return summary;
  }

  private TrialRecord runOne(Cell cell, Runner runner, Schedule s, Path cellDir) {
    long t0 = System.nanoTime();
    try {
      TrialResult r = runner.trial().run(s, cellDir.resolve(s.name()));
      out.println(r.summary());
      TrialRecord rec = record(cell, runner, s, r, (System.nanoTime() - t0) / 1e9);
      if (r.passed() && plan.trials() > 1) {
        r.pruneBulk();
      }
      return rec;
    } catch (RuntimeException | ExceptionInInitializerError e) {
      Throwable why = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
      out.println("  ERROR: the trial could not be run: " + message(why));
      return new TrialRecord(cell.name(), s.seed(), s.name(), s.steps().size(), kinds(s), TrialRecord.ERROR,
          message(why), Map.of(), List.of(), Map.of(), null, null, null, (System.nanoTime() - t0) / 1e9,
          relative(cellDir.resolve(s.name())), replay(runner, cellDir.resolve(s.name())), null);
    }
  }

  /** The record of a finished trial. */
  TrialRecord record(Cell cell, Runner runner, Schedule s, TrialResult r, double seconds) {
    Map<String, String> verdicts = new LinkedHashMap<>();
    Map<String, String> summaries = new LinkedHashMap<>();
    Double recovery = null;
    Long lost = null;
    Long outside = null;
    for (CheckResult c : r.results()) {
      verdicts.put(c.checker(), c.verdict().name());
      summaries.put(c.checker(), c.summary());
      if (c.checker().equals(StackTrial.AVAILABILITY) && c.stats().get("recovery-seconds") instanceof Number n) {
        recovery = n.doubleValue();
      }
      if (c.checker().equals(StackTrial.DURABILITY)) {
        lost = c.stats().get("lost") instanceof Number n ? n.longValue() : null;
        outside = c.stats().get("lost-outside-window") instanceof Number n ? n.longValue() : null;
      }
    }
    return new TrialRecord(cell.name(), s.seed(), s.name(), s.steps().size(), kinds(s), r.status().name(), null,
        verdicts, List.copyOf(new TreeSet<>(r.asserted())), summaries, recovery, lost, outside, seconds,
        relative(r.dir()), replay(runner, r.dir()), null);
  }

  private TrialRecord shrink(Cell cell, Runner runner, Schedule failing, Path cellDir, TrialRecord original) {
    TrialOutcome wanted = outcome(original);
    String keep = wanted.target().map(t -> t.getKey() + " " + t.getValue()).orElse("?");
    out.println("  shrinking (up to " + plan.shrinkAttempts() + " trials), keeping " + keep + " ...");
    AtomicInteger attempt = new AtomicInteger();
    Schedule minimal = Shrinker.shrink(failing, candidate -> {
      int a = attempt.incrementAndGet();
      try {
        TrialResult r = runner.trial().run(candidate, cellDir.resolve(failing.name() + "-shrink-" + a));
        TrialOutcome o = new TrialOutcome(r.failures());
        boolean kept = o.reproduces(wanted);
        out.println("  shrink attempt " + a + ": " + candidate.steps().size() + " steps -> "
            + (kept ? "still fails " + keep : o.passed() ? "passes" : "fails differently " + o + ", not kept"));
        if (r.passed()) {
          r.pruneBulk();
        }
        return kept;
      } catch (RuntimeException e) {
        out.println("  shrink attempt " + a + ": the trial could not be run (" + message(e) + "), not kept");
        return false;
      }
    }, plan.shrinkAttempts());
    Path saved = cellDir.resolve(failing.name() + "-minimal.json");
    ScheduleJson.save(minimal, saved);
    out.println("  minimal schedule still failing " + keep + " (" + minimal.steps().size() + " steps) saved to "
        + saved);
    return original.withMinimal(relative(saved));
  }

  private static TrialOutcome outcome(TrialRecord r) {
    Map<String, io.pgquorum.jepsen.checker.Verdict> failures = new LinkedHashMap<>();
    r.verdicts().forEach((checker, v) -> {
      if (r.asserted().contains(checker) && !v.equals("VALID")) {
        failures.put(checker, io.pgquorum.jepsen.checker.Verdict.valueOf(v));
      }
    });
    return new TrialOutcome(failures);
  }

  private void record(TrialRecord r) {
    records.add(r);
    CampaignSummary s = summary();
    CampaignJson.writeAtomically(plan.out().resolve("campaign.json"), CampaignJson.write(s));
    CampaignJson.writeAtomically(plan.out().resolve("campaign.html"), CampaignHtml.render(s));
  }

  private CampaignSummary summary() {
    return CampaignSummary.of(plan.title(), plan.baseSeed(), plan.maxUnknown(), planned, records);
  }

  private String relative(Path p) {
    Path base = plan.out().toAbsolutePath().normalize();
    Path abs = p.toAbsolutePath().normalize();
    return abs.startsWith(base) ? base.relativize(abs).toString() : abs.toString();
  }

  private static String replay(Runner runner, Path dir) {
    return "bin/jepsen-run " + runner.flags() + " --schedule " + dir.toAbsolutePath().normalize()
        .resolve("schedule.json");
  }

  private static List<String> kinds(Schedule s) {
    TreeSet<String> k = new TreeSet<>();
    for (Step st : s.steps()) {
      k.add(st.fault().kind());
    }
    return List.copyOf(k);
  }

  private static String message(Throwable e) {
    return Objects.toString(e.getMessage(), e.getClass().getSimpleName());
  }
}
