package io.pgquorum.jepsen.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.ScheduleJson;
import io.pgquorum.jepsen.fault.Step;
import io.pgquorum.jepsen.fault.Target;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PropertyRunTest {

  private static final ScheduleGenerator GEN = new ScheduleGenerator(GeneratorSettings.dcs(3)
      .withKinds(Set.of("partition", "kill", "delay")).withMaxSteps(5));

  /** A pure stand-in for a cluster run: the property fails iff the primary is killed for more than 2 s. */
  private static final Predicate<Schedule> HOLDS = s -> s.steps().stream().noneMatch(st ->
      st.fault() instanceof Fault.Kill k && k.target().equals(Target.primary()) && st.durationMillis() > 2000);
  private static final PropertyTrial TRIAL = PropertyTrial.passes(HOLDS);

  @AfterEach
  void clearProperties() {
    System.clearProperty(PropertyRun.SEED_PROPERTY);
    System.clearProperty(PropertyRun.COUNT_PROPERTY);
  }

  @Test
  void theBaseSeedIsDrawnOncePerJvmAndPrinted() {
    long base = PropertyRun.baseSeed();
    assertThat(PropertyRun.baseSeed()).isEqualTo(base);
    assertThat(base).isBetween(0L, 1L << 40);
    assertThat(PropertyRun.baseSeedLine()).isEqualTo("jepsen base seed " + base + " (replay with -Djepsen.baseSeed="
        + base + ", or one schedule with -Djepsen.seed=<seed>)");
  }

  @Test
  void shrinkingKeepsTheOriginalCheckersFailureNotAnyFailure(@TempDir Path dir) {
    long failing = PropertyRun.seeds(1000, 200).stream().filter(seed -> !HOLDS.test(GEN.generate(seed)))
        .filter(seed -> GEN.generate(seed).steps().size() > 1).findFirst().orElseThrow();
    Schedule original = GEN.generate(failing);
    // The original fails epoch; every smaller candidate fails availability instead (a different failure), except
    // dropping nothing. Nothing smaller may be kept.
    PropertyTrial trial = s -> s.steps().equals(original.steps())
        ? new TrialOutcome(java.util.Map.of("epoch", Verdict.INVALID))
        : TrialOutcome.fail("availability", Verdict.INVALID);
    PropertyFailure f = catchThrowableOfType(PropertyFailure.class,
        () -> PropertyRun.check("p", List.of(failing), GEN, trial, dir, 20));
    assertThat(f.report().minimal().steps()).isEqualTo(original.steps());
    assertThat(f.getMessage()).contains("epoch=INVALID");

    // The same, but candidates that still fail epoch (with availability as well) are kept.
    PropertyTrial sameFailure = s -> HOLDS.test(s) ? TrialOutcome.fail("availability", Verdict.INVALID)
        : new TrialOutcome(new java.util.LinkedHashMap<>(java.util.Map.of("epoch", Verdict.INVALID)));
    PropertyFailure g = catchThrowableOfType(PropertyFailure.class,
        () -> PropertyRun.check("q", List.of(failing), GEN, sameFailure, dir, 100));
    assertThat(g.report().minimal().steps()).hasSize(1);
  }

  @Test
  void anUnknownVerdictIsKeptOnlyAsUnknown() {
    TrialOutcome unknown = TrialOutcome.fail("linearizable(dcs-register)", Verdict.UNKNOWN);
    assertThat(unknown.passed()).isFalse();
    assertThat(TrialOutcome.fail("linearizable(dcs-register)", Verdict.UNKNOWN).reproduces(unknown)).isTrue();
    assertThat(TrialOutcome.fail("linearizable(dcs-register)", Verdict.INVALID).reproduces(unknown)).isFalse();
    assertThat(TrialOutcome.pass().reproduces(unknown)).isFalse();
    TrialOutcome both = new TrialOutcome(new java.util.LinkedHashMap<>(java.util.Map.of("a", Verdict.UNKNOWN)));
    assertThat(both.target()).hasValue(java.util.Map.entry("a", Verdict.UNKNOWN));
  }

  @Test
  void seedsCountUpFromTheBase() {
    assertThat(PropertyRun.seeds(100, 3)).containsExactly(100L, 101L, 102L);
    assertThat(PropertyRun.seeds(100, 0)).isEmpty();
  }

  @Test
  void theSeedPropertyReplaysExactlyOneSeed() {
    System.setProperty(PropertyRun.SEED_PROPERTY, "-42");
    System.setProperty(PropertyRun.COUNT_PROPERTY, "10");
    assertThat(PropertyRun.seeds(100, 3)).containsExactly(-42L);
  }

  @Test
  void theSchedulesPropertyOverridesTheCount() {
    System.setProperty(PropertyRun.COUNT_PROPERTY, "5");
    assertThat(PropertyRun.seeds(7, 3)).containsExactly(7L, 8L, 9L, 10L, 11L);
  }

  @Test
  void badPropertyValuesAreNamed() {
    System.setProperty(PropertyRun.SEED_PROPERTY, "abc");
    assertThatThrownBy(() -> PropertyRun.seeds(0, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-Djepsen.seed").hasMessageContaining("abc");
    System.clearProperty(PropertyRun.SEED_PROPERTY);
    System.setProperty(PropertyRun.COUNT_PROPERTY, "-1");
    assertThatThrownBy(() -> PropertyRun.seeds(0, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-Djepsen.schedules");
  }

  @Test
  void passingSeedsGiveAPassingReport(@TempDir Path dir) {
    PropertyReport r = PropertyRun.check("always", List.of(1L, 2L, 3L), GEN, PropertyTrial.passes(s -> true), dir, 50);
    assertThat(r.passed()).isTrue();
    assertThat(r.seedsRun()).containsExactly(1L, 2L, 3L);
    assertThat(r.failingSeed()).isNull();
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void aFailureIsPrintedShrunkSavedAndReplays(@TempDir Path dir) {
    List<Long> seeds = PropertyRun.seeds(1000, 200);
    long expected = seeds.stream().filter(seed -> !HOLDS.test(GEN.generate(seed))).findFirst().orElseThrow();

    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PropertyFailure failure;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      failure = catchThrowableOfType(PropertyFailure.class,
          () -> PropertyRun.check("p-kill", seeds, GEN, TRIAL, dir.resolve("regressions"), 100));
    } finally {
      System.setErr(err);
    }
    assertThat(failure).isNotNull().isInstanceOf(AssertionError.class);
    PropertyReport r = failure.report();
    assertThat(r.passed()).isFalse();
    assertThat(r.failingSeed()).isEqualTo(expected);
    assertThat(r.seedsRun()).endsWith(expected).doesNotContain(expected + 1);
    assertThat(r.failing()).isEqualTo(GEN.generate(expected));

    // Minimal: the one kill of the primary, just over 2 s, from time 0.
    Schedule min = r.minimal();
    assertThat(min.steps()).hasSize(1);
    Step step = min.steps().get(0);
    assertThat(step.fault()).isInstanceOf(Fault.Kill.class);
    assertThat(((Fault.Kill) step.fault()).target()).isEqualTo(Target.primary());
    assertThat(step.durationMillis()).isGreaterThan(2000).isLessThanOrEqualTo(2100);
    assertThat(step.atMillis()).isZero();
    assertThat(r.shrinkAttempts()).isBetween(1, 100);

    // The message and stderr carry the seed, the replay flag and the minimal schedule.
    String minimalJson = ScheduleJson.write(min);
    assertThat(failure.getMessage()).contains("seed " + expected, "-Djepsen.seed=" + expected, minimalJson,
        ScheduleJson.write(r.failing()));
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("-Djepsen.seed=" + expected, ScheduleJson.write(r.failing()), minimalJson);

    // Saved as a regression file that replays to the same failure.
    Path file = dir.resolve("regressions").resolve("p-kill-seed-" + expected + ".json");
    assertThat(r.savedTo()).isEqualTo(file);
    assertThat(failure.getMessage()).contains(file.toString());
    assertThat(file).isRegularFile();
    Schedule replay = ScheduleJson.load(file);
    assertThat(replay).isEqualTo(min);
    assertThat(HOLDS.test(replay)).isFalse();
    assertThat(PropertyRun.regressions(dir.resolve("regressions"))).containsExactly(min);
    assertThat(PropertyRun.regressions(dir.resolve("regressions"), "p-kill")).containsExactly(min);
    assertThat(PropertyRun.regressions(dir.resolve("regressions"), "p")).isEmpty();
  }

  @Test
  void replayingTheFailingSeedAloneFailsTheSameWay(@TempDir Path dir) {
    List<Long> seeds = PropertyRun.seeds(1000, 200);
    long failing = seeds.stream().filter(seed -> !HOLDS.test(GEN.generate(seed))).findFirst().orElseThrow();
    System.setProperty(PropertyRun.SEED_PROPERTY, Long.toString(failing));
    PropertyFailure f = catchThrowableOfType(PropertyFailure.class,
        () -> PropertyRun.check("p-kill", PropertyRun.seeds(1000, 200), GEN, TRIAL, dir, 100));
    assertThat(f.report().seedsRun()).containsExactly(failing);
    assertThat(f.report().failing()).isEqualTo(GEN.generate(failing));
  }

  @Test
  void withoutADirectoryNothingIsSaved() {
    PropertyFailure f = catchThrowableOfType(PropertyFailure.class,
        () -> PropertyRun.check("p-kill", PropertyRun.seeds(1000, 200), GEN, TRIAL, null, 5));
    assertThat(f.report().savedTo()).isNull();
    assertThat(f.report().shrinkAttempts()).isLessThanOrEqualTo(5);
    assertThat(HOLDS.test(f.report().minimal())).isFalse();
  }

  @Test
  void aTrialThatThrowsIsReportedWithItsSeed() {
    assertThatThrownBy(() -> PropertyRun.check("boom", List.of(77L), GEN, s -> {
      throw new IllegalStateException("cluster did not start");
    }, null, 5)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("seed 77").hasMessageContaining("-Djepsen.seed=77")
        .hasMessageContaining("cluster did not start");
  }

  @Test
  void shrinkCandidatesThatThrowAreNotKept(@TempDir Path dir) {
    long failing = PropertyRun.seeds(1000, 200).stream().filter(seed -> !HOLDS.test(GEN.generate(seed)))
        .findFirst().orElseThrow();
    Schedule original = GEN.generate(failing);
    // Any candidate other than the original crashes: the minimal schedule must be the original.
    PropertyFailure f = catchThrowableOfType(PropertyFailure.class, () -> PropertyRun.check("p", List.of(failing),
        GEN, PropertyTrial.passes(s -> {
          if (!s.steps().equals(original.steps())) {
            throw new IllegalStateException("crash");
          }
          return false;
        }), dir, 10));
    assertThat(f.report().minimal().steps()).isEqualTo(original.steps());
  }

  @Test
  void regressionsAreLoadedSortedAndAMissingDirectoryIsEmpty(@TempDir Path dir) throws Exception {
    assertThat(PropertyRun.regressions(dir.resolve("nope"))).isEmpty();
    Schedule b = new Schedule("b", 2, 3, List.of(new Step(0, 10, new Fault.Delay(5))), 0);
    Schedule a = new Schedule("a", 1, 3, List.of(new Step(0, 10,
        new Fault.Kill(Target.node(1), Component.DAEMON))), 0);
    ScheduleJson.save(b, dir.resolve("x-seed-2.json"));
    ScheduleJson.save(a, dir.resolve("x-seed-1.json"));
    Files.writeString(dir.resolve("notes.txt"), "not a schedule");
    assertThat(PropertyRun.regressions(dir)).containsExactly(a, b);
  }

  @Test
  void regressionsOfEveryClusterSizeBelongToTheProperty(@TempDir Path dir) {
    Schedule three = new Schedule("three", 1, 3, List.of(new Step(0, 10, new Fault.Delay(5))), 0);
    Schedule five = new Schedule("five", 2, 5, List.of(new Step(0, 10, new Fault.Delay(5))), 0);
    Schedule other = new Schedule("other", 3, 3, List.of(new Step(0, 10, new Fault.Delay(5))), 0);
    ScheduleJson.save(three, dir.resolve("dcs-seed-1.json"));
    ScheduleJson.save(five, dir.resolve("dcs-5-seed-2.json"));
    ScheduleJson.save(other, dir.resolve("dcs-kill-seed-3.json"));
    assertThat(PropertyRun.regressions(dir, "dcs")).containsExactly(five, three);
    assertThat(PropertyRun.belongsTo("dcs-5-seed-50012.json", "dcs")).isTrue();
    assertThat(PropertyRun.belongsTo("dcs-seed-0-long-x.json", "dcs")).isTrue();
    assertThat(PropertyRun.belongsTo("dcsx-seed-1.json", "dcs")).isFalse();
  }

  @Test
  void replayingRegressionsPassesOrNamesTheFailingSchedule(@TempDir Path dir) {
    Schedule harmless = new Schedule("seed-1-minimal", 1, 3, List.of(new Step(0, 100, new Fault.Delay(5))), 0);
    Schedule bad = new Schedule("seed-2-minimal", 2, 3, List.of(new Step(0, 2500,
        new Fault.Kill(Target.primary(), Component.DCS_MEMBER))), 0);
    ScheduleJson.save(harmless, dir.resolve(PropertyRun.regressionFileName("p", 1)));
    ScheduleJson.save(bad, dir.resolve(PropertyRun.regressionFileName("p", 2)));
    assertThat(PropertyRun.replay("p", List.of(harmless), TRIAL).passed()).isTrue();
    PropertyFailure f = catchThrowableOfType(PropertyFailure.class,
        () -> PropertyRun.replay("p", PropertyRun.regressions(dir, "p"), TRIAL));
    assertThat(f.getMessage()).contains("seed-2-minimal", ScheduleJson.write(bad));
    assertThat(f.report().seedsRun()).containsExactly(1L, 2L);
    assertThat(f.report().failingSeed()).isEqualTo(2L);
  }

  @Test
  void rejectsAPropertyNameThatIsNotAFileName() {
    assertThatThrownBy(() -> PropertyRun.check("a/b", List.of(1L), GEN, PropertyTrial.passes(s -> true), null,
        1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a/b");
  }
}
