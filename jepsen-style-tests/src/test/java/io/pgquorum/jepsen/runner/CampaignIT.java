package io.pgquorum.jepsen.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.campaign.CampaignJson;
import io.pgquorum.jepsen.campaign.CampaignSummary;
import io.pgquorum.jepsen.campaign.TrialRecord;
import io.pgquorum.jepsen.gen.PropertyRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One small real campaign through {@code bin/jepsen-run}'s own code, default tier. It is also the proof, in every
 * {@code ./mvnw -B verify}, that the stack's safety checkers can go red: a planted bug per safety property, on the
 * schedule that exposes it, must turn exactly that checker INVALID (P1: {@code skip-demote-on-lost-lease} while the
 * primary is isolated; P2: {@code ignore-maximum-lag-on-failover} with both replicas far behind, their WAL senders
 * paused; see docs/properties.md). A generated DCS schedule (fresh seed) runs in the same campaign and must pass.
 * The campaign must keep going after the first failure, record everything, exit 1, and write the aggregate report.
 * The liveness
 * checkers' planted bugs (P3 availability: {@code replicas-never-race} with the primary isolated; P3 role
 * stability: {@code flapping-leader} with no real fault) run in the long tier: each trial lasts its whole
 * availability bound plus the settle window (about 100 s), and they guard no safety claim.
 */
class CampaignIT {
  private static final Path PLANTED = Path.of("src/test/resources/planted");

  /** One campaign run: {@code bin/jepsen-run}'s exit status, its console, its output directory and summary. */
  private record Run(int status, String console, Path out, CampaignSummary summary) {}

  private static Run campaign(String name, String... matrices) throws Exception {
    Path out = Path.of("target", "jepsen-runs", name + "-" + System.currentTimeMillis());
    List<String> args = new ArrayList<>(List.of(
        "--seed", Long.toString(PropertyRun.baseSeed()), "--out", out.toString()));
    args.addAll(List.of(matrices));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int status;
    try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      status = JepsenRun.run(args.toArray(String[]::new), ps, ps);
    }
    String console = buf.toString(StandardCharsets.UTF_8);
    System.out.println(console);
    return new Run(status, console, out, CampaignJson.read(Files.readString(out.resolve("campaign.json"))));
  }

  @Test
  void plantedSafetyBugsGoRedAndTheCampaignReportsEveryTrial() throws Exception {
    Run run = campaign("campaign-it",
        "--matrix", "target=stack", "bug=skip-demote-on-lost-lease",
        "schedule=" + PLANTED.resolve("skip-demote-on-lost-lease.json"),
        "--matrix", "target=stack", "bug=ignore-maximum-lag-on-failover", "max-lag=16384",
        "schedule=" + PLANTED.resolve("ignore-maximum-lag-on-failover.json"),
        "--matrix", "target=dcs", "nodes=3", "kinds=all", "per-cell=1");
    String console = run.console();
    CampaignSummary s = run.summary();
    assertThat(s.trials()).as(console).hasSize(3);
    TrialRecord epoch = s.trials().get(0);
    TrialRecord durability = s.trials().get(1);
    TrialRecord dcs = s.trials().get(2);

    assertThat(epoch.status()).as("skip-demote-on-lost-lease must fail the run: %s", epoch)
        .isEqualTo(TrialRecord.FAILED);
    assertThat(epoch.verdicts()).as("%s", epoch.summaries()).containsEntry("epoch", "INVALID");

    assertThat(durability.status()).as("ignore-maximum-lag-on-failover must fail the run: %s", durability)
        .isEqualTo(TrialRecord.FAILED);
    assertThat(durability.verdicts()).as("%s", durability.summaries()).containsEntry("durability", "INVALID")
        .containsEntry("epoch", "VALID");
    assertThat(durability.lostOutsideWindow()).isPositive();

    assertThat(dcs.status()).as("a generated DCS schedule (replay: %s): %s", dcs.replay(), dcs.summaries())
        .isEqualTo(TrialRecord.PASSED);

    assertThat(run.status()).as("exit status of a campaign with failures").isEqualTo(1);
    assertThat(s.total().failed()).isEqualTo(2);
    assertThat(s.cells()).extracting(CampaignSummary.CellSummary::cell).containsExactly(
        "stack-bug-skip-demote-on-lost-lease-skip-demote-on-lost-lease",
        "stack-maxlag16384-bug-ignore-maximum-lag-on-failover-ignore-maximum-lag-on-failover",
        "dcs-n3-all");
    String html = Files.readString(run.out().resolve("campaign.html"));
    assertThat(html).contains("3 of 3 trials run: 1 passed, 2 failed", epoch.dir() + "/report.html",
        durability.replay());
    assertThat(run.out().resolve(epoch.dir()).resolve("report.html")).exists();
    assertThat(durability.replay()).contains("--planted-bug ignore-maximum-lag-on-failover",
        "--maximum-lag-on-failover 16384");
    assertThat(console.lines().toList()).anyMatch(l -> l.startsWith("[3/3]"));
    // The planted failures were expected: keep their evidence (histories, reports, logs), not their data.
    Runs.pruneBulk(run.out());
  }

  @Test
  @Tag("long")
  void plantedLivenessBugsGoRed() throws Exception {
    Run run = campaign("campaign-liveness-it",
        "--matrix", "target=stack", "bug=replicas-never-race",
        "schedule=" + PLANTED.resolve("replicas-never-race.json"),
        "--matrix", "target=stack", "bug=flapping-leader", "schedule=" + PLANTED.resolve("flapping-leader.json"));
    CampaignSummary s = run.summary();
    assertThat(s.trials()).as(run.console()).hasSize(2);
    TrialRecord availability = s.trials().get(0);
    TrialRecord stability = s.trials().get(1);

    assertThat(availability.status()).as("replicas-never-race must fail the run: %s", availability)
        .isEqualTo(TrialRecord.FAILED);
    assertThat(availability.verdicts()).as("%s", availability.summaries()).containsEntry("availability", "INVALID")
        .containsEntry("epoch", "VALID");

    assertThat(stability.status()).as("flapping-leader must fail the run: %s", stability)
        .isEqualTo(TrialRecord.FAILED);
    assertThat(stability.verdicts()).as("%s", stability.summaries()).containsEntry("role-stability", "INVALID")
        .containsEntry("epoch", "VALID");

    assertThat(run.status()).as("exit status of a campaign with failures").isEqualTo(1);
    Runs.pruneBulk(run.out());
  }
}
