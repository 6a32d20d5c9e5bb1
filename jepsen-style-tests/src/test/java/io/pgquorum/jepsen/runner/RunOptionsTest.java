package io.pgquorum.jepsen.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunOptionsTest {

  @Test
  void aMatrixTakesEveryWordUpToTheNextOption() throws Exception {
    RunOptions o = RunOptions.parse(new String[] {"--matrix", "ttl=4,8", "kinds=partition,kill", "nodes=3",
        "--matrix", "target=dcs", "nodes=3,5", "--schedules-per-cell", "3", "--max-unknown", "2", "--out", "c"});
    assertThat(o.matrix()).containsExactly(List.of("ttl=4,8", "kinds=partition,kill", "nodes=3"),
        List.of("target=dcs", "nodes=3,5"));
    assertThat(o.schedulesPerCell()).isEqualTo(3);
    assertThat(o.maxUnknown()).isEqualTo(2);
    assertThat(o.out()).isEqualTo(Path.of("c"));
  }

  @Test
  void thePresetsAreMatrices() throws Exception {
    RunOptions o = RunOptions.parse(new String[] {"--preset", "long"});
    assertThat(o.matrix()).isEqualTo(RunOptions.PRESET_LONG);
    Campaign.Plan p = JepsenRun.plan(o);
    assertThat(p.trials()).isEqualTo(204 + 42);
    assertThat(p.cells().stream().filter(c -> c.target().equals("dcs")).mapToInt(c -> c.schedules()).sum())
        .isEqualTo(204);
    assertThat(p.cells()).filteredOn(c -> c.target().equals("dcs")).extracting(c -> c.nodes()).contains(3, 5);
  }

  /** Issue 14's campaign: at least 100 full-stack schedules under synchronous replication, every fault kind. */
  @Test
  void theSyncPresetRunsEveryKindInEverySynchronousMode() throws Exception {
    Campaign.Plan p = JepsenRun.plan(RunOptions.parse(new String[] {"--preset", "sync"}));
    assertThat(p.trials()).isEqualTo(108);
    assertThat(p.cells()).extracting(c -> c.sync()).containsOnly("on", "quorum", "strict");
    assertThat(p.cells()).extracting(c -> c.target()).containsOnly("stack");
    assertThat(p.cells().stream().flatMap(c -> c.kinds().stream()).distinct().toList())
        .containsExactlyInAnyOrderElementsOf(io.pgquorum.jepsen.campaign.Matrix.ALL_KINDS);
  }

  @Test
  void plainRunsAreOneFlatCell() throws Exception {
    Campaign.Plan p = JepsenRun.plan(RunOptions.parse(new String[] {"--seed", "42", "--schedules", "3", "--ttl",
        "4", "--kinds", "partition"}));
    assertThat(p.flat()).isTrue();
    assertThat(p.baseSeed()).isEqualTo(42);
    assertThat(p.cells()).singleElement().satisfies(c -> {
      assertThat(c.schedules()).isEqualTo(3);
      assertThat(c.ttl()).isEqualTo(4);
      assertThat(c.kinds()).containsExactly("partition");
    });
  }

  /** --synchronous-mode reaches the cell, the trial's settings and the replay command. */
  @Test
  void aSynchronousModeReachesTheTrial() throws Exception {
    RunOptions o = RunOptions.parse(new String[] {"--seed", "1", "--synchronous-mode", "quorum"});
    Campaign.Plan p = JepsenRun.plan(o);
    assertThat(p.cells()).singleElement().satisfies(c -> assertThat(c.sync()).isEqualTo("quorum"));
    Campaign.Runner r = JepsenRun.trialFor(p.cells().get(0), o);
    assertThat(r.flags()).isEqualTo("--target stack --synchronous-mode quorum");
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--synchronous-mode", "always"}))
        .hasMessageContaining("--synchronous-mode must be off, on, quorum or strict, got \"always\"");
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--target", "dcs", "--synchronous-mode", "on"}))
        .hasMessageContaining("--synchronous-mode and --failsafe-mode apply to --target stack only");
  }

  /** --failsafe-mode reaches the trial's settings (and so the daemons' bootstrap.dcs) and the replay command. */
  @Test
  void failsafeModeReachesTheTrial() throws Exception {
    RunOptions o = RunOptions.parse(new String[] {"--seed", "1", "--failsafe-mode", "on"});
    Campaign.Plan p = JepsenRun.plan(o);
    Campaign.Runner r = JepsenRun.trialFor(p.cells().get(0), o);
    assertThat(r.flags()).isEqualTo("--target stack --failsafe-mode on");
    assertThat(io.pgquorum.jepsen.stack.PgClusterSpec.defaults().withFailsafeMode(true).dcsExtra())
        .isEqualTo("\n    failsafe_mode: true");
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--failsafe-mode", "yes"}))
        .hasMessageContaining("--failsafe-mode must be on or off, got \"yes\"");
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--target", "dcs", "--failsafe-mode", "on"}))
        .hasMessageContaining("apply to --target stack only");
  }

  @Test
  void badCommandLinesNameTheOption() throws Exception {
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--matrix", "nodes=3", "--nodes", "5"}))
        .hasMessageContaining("drop --schedule, --schedules, --nodes and --kinds");
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--schedules-per-cell", "3"}))
        .hasMessageContaining("--schedules-per-cell applies to --matrix");
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--preset", "huge"}))
        .hasMessageContaining("--preset must be long, sync or smoke, got \"huge\"");
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--preset", "long", "--matrix", "nodes=3"}))
        .hasMessageContaining("cannot be combined with --matrix");
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--max-unknown", "-1"}))
        .hasMessageContaining("--max-unknown must not be negative");
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--ttl", "3"}))
        .hasMessageContaining("--ttl must be between 4 and 120");
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--target", "dcs", "--ttl", "8"}))
        .hasMessageContaining("apply to --target stack only");
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--planted-bug", "nope"}))
        .hasMessageContaining("--planted-bug must be one of").hasMessageContaining("ignore-maximum-lag-on-failover")
        .hasMessageContaining("stopped-probe-checkpoint-timeline");
    // A PostgreSQL-layer bug plants on the stack like the HA layer's.
    assertThat(RunOptions.parse(new String[] {"--planted-bug", "stopped-probe-checkpoint-timeline"}).plantedBug())
        .isEqualTo("stopped-probe-checkpoint-timeline");
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--matrix"}))
        .hasMessageContaining("option --matrix needs a value");
    assertThatThrownBy(() -> RunOptions.parse(new String[] {"--matrix", "--out", "x"}))
        .hasMessageContaining("option --matrix needs a value");
  }

  @Test
  void exitStatusFollowsTheWorstTrial(@org.junit.jupiter.api.io.TempDir Path out) {
    java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream e = new java.io.ByteArrayOutputStream();
    java.io.PrintStream po = new java.io.PrintStream(o, true, java.nio.charset.StandardCharsets.UTF_8);
    java.io.PrintStream pe = new java.io.PrintStream(e, true, java.nio.charset.StandardCharsets.UTF_8);
    CampaignTest.FakeTrial fake = new CampaignTest.FakeTrial();
    JepsenRun.Factory f = (c, opts) -> new Campaign.Runner(fake, "--target " + c.target());
    // Seeds whose schedules only partition pass.
    assertThat(JepsenRun.run(new String[] {"--target", "dcs", "--kinds", "partition", "--seed", "1", "--schedules",
        "2", "--out", out.resolve("a").toString()}, po, pe, f)).isEqualTo(firstStatus(fake, 0));
    assertThat(JepsenRun.run(new String[] {"--help"}, po, pe, f)).isZero();
    assertThat(o.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("--matrix AXIS=V1,V2");
    assertThat(JepsenRun.run(new String[] {"--bogus", "1"}, po, pe, f)).isEqualTo(2);
    assertThat(JepsenRun.run(new String[] {"--schedule", out.resolve("missing.json").toString()}, po, pe, f))
        .isEqualTo(2);
    assertThat(e.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("missing.json");
    // A kill always fails epoch in the stand-in: exit 1, and the campaign report exists.
    assertThat(JepsenRun.run(new String[] {"--target", "dcs", "--kinds", "kill", "--seed", "1", "--out",
        out.resolve("b").toString()}, po, pe, f)).isEqualTo(1);
    assertThat(out.resolve("b").resolve("campaign.html")).exists();
  }

  /** 0 when every schedule the fake ran passed, 2 when one could not be run (4 steps). */
  private static int firstStatus(CampaignTest.FakeTrial fake, int unused) {
    return fake.ran.stream().anyMatch(s -> s.steps().size() == 4) ? 2 : 0;
  }
}
