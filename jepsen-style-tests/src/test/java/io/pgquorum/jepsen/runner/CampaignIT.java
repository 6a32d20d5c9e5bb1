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
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One small real campaign through {@code bin/jepsen-run}'s own code, default tier. It is also the proof, in every
 * {@code ./mvnw -B verify}, that the stack checkers can go red: a planted bug per property, on the schedule that
 * exposes it, must turn exactly that checker INVALID (P1: {@code skip-demote-on-lost-lease} while the primary is
 * isolated; P2: {@code ignore-maximum-lag-on-failover} with a replica far behind; P3 availability:
 * {@code replicas-never-race} with the primary isolated; P3 role stability: {@code flapping-leader} with no real
 * fault; see docs/properties.md). A
 * generated DCS schedule (fresh seed) runs in the same campaign and must pass. The campaign must keep going after
 * the first failure, record everything, exit 1, and write the aggregate report.
 */
class CampaignIT {
  private static final Path PLANTED = Path.of("src/test/resources/planted");

  @Test
  void plantedBugsGoRedAndTheCampaignReportsEveryTrial() throws Exception {
    Path out = Path.of("target", "jepsen-runs", "campaign-it-" + System.currentTimeMillis());
    String[] args = {
        "--seed", Long.toString(PropertyRun.baseSeed()), "--out", out.toString(),
        "--matrix", "target=stack", "bug=skip-demote-on-lost-lease",
        "schedule=" + PLANTED.resolve("skip-demote-on-lost-lease.json"),
        "--matrix", "target=stack", "bug=ignore-maximum-lag-on-failover", "max-lag=16384",
        "schedule=" + PLANTED.resolve("ignore-maximum-lag-on-failover.json"),
        "--matrix", "target=stack", "bug=replicas-never-race",
        "schedule=" + PLANTED.resolve("replicas-never-race.json"),
        "--matrix", "target=stack", "bug=flapping-leader", "schedule=" + PLANTED.resolve("flapping-leader.json"),
        "--matrix", "target=dcs", "nodes=3", "kinds=all", "per-cell=1"};
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int status;
    try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      status = JepsenRun.run(args, ps, ps);
    }
    String console = buf.toString(StandardCharsets.UTF_8);
    System.out.println(console);

    CampaignSummary s = CampaignJson.read(Files.readString(out.resolve("campaign.json")));
    assertThat(s.trials()).as(console).hasSize(5);
    TrialRecord epoch = s.trials().get(0);
    TrialRecord durability = s.trials().get(1);
    TrialRecord availability = s.trials().get(2);
    TrialRecord stability = s.trials().get(3);
    TrialRecord dcs = s.trials().get(4);

    assertThat(epoch.status()).as("skip-demote-on-lost-lease must fail the run: %s", epoch)
        .isEqualTo(TrialRecord.FAILED);
    assertThat(epoch.verdicts()).as("%s", epoch.summaries()).containsEntry("epoch", "INVALID");

    assertThat(durability.status()).as("ignore-maximum-lag-on-failover must fail the run: %s", durability)
        .isEqualTo(TrialRecord.FAILED);
    assertThat(durability.verdicts()).as("%s", durability.summaries()).containsEntry("durability", "INVALID")
        .containsEntry("epoch", "VALID");
    assertThat(durability.lostOutsideWindow()).isPositive();

    assertThat(availability.status()).as("replicas-never-race must fail the run: %s", availability)
        .isEqualTo(TrialRecord.FAILED);
    assertThat(availability.verdicts()).as("%s", availability.summaries()).containsEntry("availability", "INVALID")
        .containsEntry("epoch", "VALID");

    assertThat(stability.status()).as("flapping-leader must fail the run: %s", stability)
        .isEqualTo(TrialRecord.FAILED);
    assertThat(stability.verdicts()).as("%s", stability.summaries()).containsEntry("role-stability", "INVALID")
        .containsEntry("epoch", "VALID");

    assertThat(dcs.status()).as("a generated DCS schedule (replay: %s): %s", dcs.replay(), dcs.summaries())
        .isEqualTo(TrialRecord.PASSED);

    assertThat(status).as("exit status of a campaign with failures").isEqualTo(1);
    assertThat(s.total().failed()).isEqualTo(4);
    assertThat(s.cells()).extracting(CampaignSummary.CellSummary::cell).containsExactly(
        "stack-bug-skip-demote-on-lost-lease-skip-demote-on-lost-lease",
        "stack-maxlag16384-bug-ignore-maximum-lag-on-failover-ignore-maximum-lag-on-failover",
        "stack-bug-replicas-never-race-replicas-never-race", "stack-bug-flapping-leader-flapping-leader",
        "dcs-n3-all");
    String html = Files.readString(out.resolve("campaign.html"));
    assertThat(html).contains("5 of 5 trials run: 1 passed, 4 failed", epoch.dir() + "/report.html",
        durability.replay());
    assertThat(out.resolve(epoch.dir()).resolve("report.html")).exists();
    assertThat(durability.replay()).contains("--planted-bug ignore-maximum-lag-on-failover",
        "--maximum-lag-on-failover 16384");
    List<String> lines = console.lines().toList();
    assertThat(lines).anyMatch(l -> l.startsWith("[5/5]"));
    // The planted failures were expected: keep their evidence (histories, reports, logs), not their data.
    Runs.pruneBulk(out);
  }
}
