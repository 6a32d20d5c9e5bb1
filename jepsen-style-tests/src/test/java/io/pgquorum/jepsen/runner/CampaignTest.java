package io.pgquorum.jepsen.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.campaign.CampaignJson;
import io.pgquorum.jepsen.campaign.CampaignSummary;
import io.pgquorum.jepsen.campaign.Cell;
import io.pgquorum.jepsen.campaign.TrialRecord;
import io.pgquorum.jepsen.checker.CheckResult;
import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.ScheduleJson;
import io.pgquorum.jepsen.history.History;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The campaign runner with pure stand-in trials: failures and errors are recorded, never abort the campaign. */
class CampaignTest {

  /**
   * A stand-in trial: "epoch" fails on any schedule with a kill step, "availability" is UNKNOWN on any schedule
   * with a delay step and no kill, and a schedule with exactly 4 steps cannot be run at all.
   */
  static final class FakeTrial implements Trial {
    final List<Schedule> ran = new ArrayList<>();

    @Override
    public TrialResult run(Schedule s, Path dir) {
      ran.add(s);
      if (s.steps().size() == 4) {
        throw new IllegalStateException("cluster did not start");
      }
      boolean kill = s.steps().stream().anyMatch(st -> st.fault() instanceof Fault.Kill);
      boolean delay = s.steps().stream().anyMatch(st -> st.fault() instanceof Fault.Delay);
      List<CheckResult> results = List.of(
          new CheckResult("epoch", kill ? Verdict.INVALID : Verdict.VALID, "e", List.of(), Map.of()),
          new CheckResult("availability", delay && !kill ? Verdict.UNKNOWN : Verdict.VALID, "a", List.of(),
              Map.of("recovery-seconds", 3.5)));
      try {
        Files.createDirectories(dir);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return new TrialResult(s, new History(List.of()), results, Set.of("epoch", "availability"), dir);
    }
  }

  @Test
  void everyTrialRunsAndIsRecordedWhateverHappensToTheOthers(@TempDir Path out) throws Exception {
    FakeTrial trial = new FakeTrial();
    List<Cell> cells = List.of(
        new Cell("dcs", 3, Set.of("kill", "delay", "partition"), null, null, null, null, null, 12),
        new Cell("dcs", 5, Set.of("partition"), null, null, null, null, null, 2));
    Campaign.Plan plan = new Campaign.Plan("t", cells, 100, 0, 0, out, false);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    CampaignSummary s = new Campaign(plan, c -> new Campaign.Runner(trial, "--target dcs"),
        new PrintStream(buf, true, StandardCharsets.UTF_8)).run();

    assertThat(trial.ran).hasSize(14);
    assertThat(s.total().runs()).isEqualTo(14);
    int failed = 0;
    int unknown = 0;
    int errors = 0;
    for (Schedule sch : Campaign.schedules(cells.get(0), 100)) {
      boolean kill = sch.steps().stream().anyMatch(st -> st.fault() instanceof Fault.Kill);
      boolean delay = sch.steps().stream().anyMatch(st -> st.fault() instanceof Fault.Delay);
      if (sch.steps().size() == 4) {
        errors++;
      } else if (kill) {
        failed++;
      } else if (delay) {
        unknown++;
      }
    }
    assertThat(failed + errors).as("the seeds must exercise failures and errors").isPositive();
    assertThat(s.total().failed()).isEqualTo(failed);
    assertThat(s.total().unknown()).isEqualTo(unknown);
    assertThat(s.total().errors()).isEqualTo(errors);
    assertThat(s.cells().get(1).passed()).isEqualTo(2);
    assertThat(s.passed()).isEqualTo(failed == 0 && unknown == 0);

    // Written to disk after every trial, readable back; the failing trials carry their replay commands.
    CampaignSummary onDisk = CampaignJson.read(Files.readString(out.resolve("campaign.json")));
    assertThat(onDisk).isEqualTo(s);
    assertThat(out.resolve("campaign.html")).content().contains("dcs-n3-partition+kill+delay", "dcs-n5-partition");
    TrialRecord first = s.trials().get(0);
    assertThat(first.dir()).isEqualTo("dcs-n3-partition+kill+delay/seed-100");
    assertThat(first.replay()).isEqualTo("bin/jepsen-run --target dcs --schedule "
        + out.toAbsolutePath().resolve("dcs-n3-partition+kill+delay/seed-100/schedule.json"));
    assertThat(s.trials()).filteredOn(r -> r.status().equals(TrialRecord.ERROR))
        .allSatisfy(r -> assertThat(r.error()).isEqualTo("cluster did not start"));
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("[14/14]", "ERROR: the trial could not be run");
  }

  @Test
  void shrinkingAFailedTrialKeepsItsCheckersFailure(@TempDir Path out) {
    FakeTrial trial = new FakeTrial();
    Cell cell = new Cell("dcs", 3, Set.of("kill", "partition"), null, null, null, null, null, 1);
    long seed = 0;
    while (Campaign.schedules(cell, seed).get(0).steps().stream().filter(st -> st.fault() instanceof Fault.Kill)
        .count() == 0
        || Campaign.schedules(cell, seed).get(0).steps().size() < 2
        || Campaign.schedules(cell, seed).get(0).steps().size() == 4) {
      seed++;
    }
    Campaign.Plan plan = new Campaign.Plan("t", List.of(cell), seed, 0, 30, out, true);
    CampaignSummary s = new Campaign(plan, c -> new Campaign.Runner(trial, "--target dcs"),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run();
    TrialRecord r = s.trials().get(0);
    assertThat(r.status()).isEqualTo(TrialRecord.FAILED);
    assertThat(r.minimal()).isEqualTo("seed-" + seed + "-minimal.json");
    Schedule minimal = ScheduleJson.load(out.resolve(r.minimal()));
    assertThat(minimal.steps()).hasSize(1);
    assertThat(minimal.steps().get(0).fault()).isInstanceOf(Fault.Kill.class);
  }
}
