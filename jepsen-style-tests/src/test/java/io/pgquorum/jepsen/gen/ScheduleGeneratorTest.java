package io.pgquorum.jepsen.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.PartitionShape;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.ScheduleJson;
import io.pgquorum.jepsen.fault.Step;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScheduleGeneratorTest {

  @Test
  void theSameSeedGivesAnEqualScheduleAndTheNameCarriesTheSeed() {
    ScheduleGenerator a = new ScheduleGenerator(GeneratorSettings.dcs(3));
    ScheduleGenerator b = new ScheduleGenerator(GeneratorSettings.dcs(3));
    for (long seed : List.of(0L, 1L, -5L, 123_456_789_012L, Long.MAX_VALUE)) {
      Schedule s = a.generate(seed);
      assertThat(b.generate(seed)).isEqualTo(s);
      assertThat(a.generate(seed)).isEqualTo(s);
      assertThat(s.name()).isEqualTo("seed-" + seed);
      assertThat(s.seed()).isEqualTo(seed);
    }
  }

  @Test
  void differentSeedsGiveDifferentSchedules() {
    ScheduleGenerator g = new ScheduleGenerator(GeneratorSettings.dcs(3));
    Set<List<Step>> distinct = new HashSet<>();
    for (long seed = 0; seed < 50; seed++) {
      distinct.add(g.generate(seed).steps());
    }
    assertThat(distinct).hasSizeGreaterThan(45);
  }

  @Test
  void dcsPresetCoversEveryKindShapeAndTheDcsMember() {
    coverage(GeneratorSettings.dcs(3), EnumSet.of(Component.DCS_MEMBER));
    coverage(GeneratorSettings.dcs(5), EnumSet.of(Component.DCS_MEMBER));
  }

  @Test
  void fullStackPresetCoversEveryKindShapeDaemonAndPostgres() {
    coverage(GeneratorSettings.fullStack(3), EnumSet.of(Component.DAEMON, Component.POSTGRES));
  }

  private static void coverage(GeneratorSettings settings, Set<Component> expectedComponents) {
    ScheduleGenerator g = new ScheduleGenerator(settings);
    Set<String> kinds = new HashSet<>();
    Set<PartitionShape> shapes = EnumSet.noneOf(PartitionShape.class);
    Set<Component> components = EnumSet.noneOf(Component.class);
    Set<String> targets = new HashSet<>();
    for (long seed = 0; seed < 300; seed++) {
      Schedule s = g.generate(seed);
      assertThat(s.nodes()).isEqualTo(settings.nodes());
      assertThat(s.quietMillis()).isEqualTo(settings.quietMillis());
      assertThat(s.steps()).hasSizeBetween(1, settings.maxSteps());
      assertThat(s.steps()).isSortedAccordingTo((x, y) -> Long.compare(x.atMillis(), y.atMillis()));
      // The strict reader accepts it: every target exists in the cluster, every value is in range.
      assertThat(ScheduleJson.read(ScheduleJson.write(s), s.name())).isEqualTo(s);
      for (Step step : s.steps()) {
        assertThat(step.atMillis()).isBetween(0L, settings.maxStartMillis());
        assertThat(step.durationMillis()).isBetween(settings.minDurationMillis(), settings.maxDurationMillis());
        Fault f = step.fault();
        kinds.add(f.kind());
        if (f instanceof Fault.Partition p) {
          shapes.add(p.shape());
          targets.add(p.target().spec());
        } else if (f instanceof Fault.Kill k) {
          components.add(k.component());
          targets.add(k.target().spec());
        } else if (f instanceof Fault.Pause p) {
          components.add(p.component());
          targets.add(p.target().spec());
        } else if (f instanceof Fault.ClockSkew c) {
          assertThat(Math.abs(c.rate() - 1)).isLessThanOrEqualTo(GeneratorSettings.SAFE_CLOCK_RATE_DRIFT + 1e-9);
          assertThat(c.rate()).isNotEqualTo(1.0);
        } else if (f instanceof Fault.PacketLoss l) {
          assertThat(settings.lossProbabilities()).contains(l.probability());
        } else if (f instanceof Fault.Delay d) {
          assertThat(settings.delaysMillis()).contains(d.millis());
        }
      }
    }
    assertThat(kinds).containsExactlyInAnyOrderElementsOf(ScheduleJson.generatedKinds());
    assertThat(shapes).containsExactlyInAnyOrder(PartitionShape.values());
    assertThat(components).isEqualTo(expectedComponents);
    assertThat(targets).contains("primary", "node:0", "node:" + (settings.nodes() - 1), "replica:0",
        "replica:" + (settings.nodes() - 2));
  }

  @Test
  void onlyAllowedKindsAndSettingsAreDrawn() {
    GeneratorSettings only = GeneratorSettings.fullStack(3).withKinds(Set.of("kill", "clock-skew"))
        .withComponents(Set.of(Component.POSTGRES)).withSkewRates(List.of(2.0)).withMaxSteps(2)
        .withDurations(500, 600).withMaxStartMillis(0).withQuietMillis(7);
    ScheduleGenerator g = new ScheduleGenerator(only);
    Set<String> kinds = new HashSet<>();
    for (long seed = 0; seed < 100; seed++) {
      for (Step step : g.generate(seed).steps()) {
        kinds.add(step.fault().kind());
        assertThat(step.atMillis()).isZero();
        assertThat(step.durationMillis()).isBetween(500L, 600L);
        if (step.fault() instanceof Fault.Kill k) {
          assertThat(k.component()).isEqualTo(Component.POSTGRES);
        } else {
          assertThat(((Fault.ClockSkew) step.fault()).rate()).isEqualTo(2.0);
        }
      }
    }
    assertThat(kinds).containsExactlyInAnyOrder("kill", "clock-skew");
  }

  @Test
  void settingsRejectNonsenseNamingTheKnob() {
    GeneratorSettings base = GeneratorSettings.dcs(3);
    assertThatThrownBy(() -> base.withKinds(Set.of("flood")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flood");
    assertThatThrownBy(() -> base.withKinds(Set.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kinds");
    assertThatThrownBy(() -> base.withComponents(Set.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("components");
    assertThatThrownBy(() -> base.withDurations(10, 5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minDurationMillis");
    assertThatThrownBy(() -> base.withLossProbabilities(List.of(1.5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lossProbabilities");
    assertThatThrownBy(() -> base.withNodes(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nodes");
    // components are irrelevant when neither kill nor pause is allowed
    assertThat(base.withKinds(Set.of("partition")).withComponents(Set.of()).components()).isEmpty();
  }

  @Test
  void presetsKeepClockSkewInsideTheLeaseBound() {
    assertThat(GeneratorSettings.SAFE_CLOCK_RATE_DRIFT).isEqualTo(0.05);
    for (GeneratorSettings s : List.of(GeneratorSettings.dcs(3), GeneratorSettings.fullStack(3))) {
      assertThat(s.skewRates()).allMatch(r -> Math.abs(r - 1) <= 0.05 + 1e-9 && r != 1.0);
    }
  }
}
