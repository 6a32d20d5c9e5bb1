package io.pgquorum.jepsen.gen;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.PartitionShape;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.Step;
import io.pgquorum.jepsen.fault.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ShrinkerTest {

  private static final Predicate<Schedule> LONG_PRIMARY_PAUSE = s -> s.steps().stream().anyMatch(step ->
      step.fault() instanceof Fault.Pause p && p.target().equals(Target.primary()) && step.durationMillis() > 3000);

  private static Schedule sixSteps() {
    return new Schedule("seed-9", 9, 3, List.of(
        new Step(500, 4000, new Fault.Partition(PartitionShape.HALVES, Target.replica(1))),
        new Step(1200, 2000, new Fault.Kill(Target.primary(), Component.DAEMON)),
        new Step(2500, 7300, new Fault.Pause(Target.primary(), Component.DAEMON)),
        new Step(3000, 6000, new Fault.ClockSkew(Target.node(2), 1.05)),
        new Step(4000, 1000, new Fault.PacketLoss(0.3)),
        new Step(6000, 2000, new Fault.Pause(Target.replica(0), Component.POSTGRES))), 5000);
  }

  @Test
  void shrinksToOnePauseOfThePrimaryJustOverThreeSeconds() {
    List<Schedule> accepted = new ArrayList<>();
    Schedule min = Shrinker.shrink(sixSteps(), s -> {
      boolean fails = LONG_PRIMARY_PAUSE.test(s);
      if (fails) {
        accepted.add(s);
      }
      return fails;
    }, 200);
    assertThat(min.steps()).hasSize(1);
    Step step = min.steps().get(0);
    assertThat(step.fault()).isEqualTo(new Fault.Pause(Target.primary(), Component.DAEMON));
    assertThat(step.durationMillis()).isGreaterThan(3000).isLessThanOrEqualTo(3100);
    assertThat(step.atMillis()).isZero();
    assertThat(min.name()).isEqualTo("seed-9");
    assertThat(min.seed()).isEqualTo(9);
    assertThat(min.quietMillis()).isEqualTo(5000);
    // The result is the last candidate that was accepted, and each of those failed.
    assertThat(accepted).isNotEmpty().allMatch(LONG_PRIMARY_PAUSE);
    assertThat(accepted.get(accepted.size() - 1)).isEqualTo(min);
  }

  @Test
  void theAttemptBudgetIsRespectedAndTheResultStillFails() {
    for (int budget : new int[] {0, 1, 3, 7, 20}) {
      int[] calls = {0};
      Schedule min = Shrinker.shrink(sixSteps(), s -> {
        calls[0]++;
        return LONG_PRIMARY_PAUSE.test(s);
      }, budget);
      assertThat(calls[0]).as("budget %d", budget).isLessThanOrEqualTo(budget);
      assertThat(LONG_PRIMARY_PAUSE.test(min)).isTrue();
      if (budget == 0) {
        assertThat(min).isEqualTo(sixSteps());
      }
    }
  }

  @Test
  void neverTestsTheSameCandidateTwice() {
    List<List<Step>> seen = new ArrayList<>();
    Shrinker.shrink(sixSteps(), s -> {
      assertThat(seen).doesNotContain(s.steps());
      seen.add(s.steps());
      return LONG_PRIMARY_PAUSE.test(s);
    }, 500);
    assertThat(seen).isNotEmpty();
  }

  @Test
  void aFailureWithoutFaultsShrinksToTheEmptySchedule() {
    Schedule min = Shrinker.shrink(sixSteps(), s -> true, 100);
    assertThat(min.steps()).isEmpty();
  }

  @Test
  void simplifiesTargetsShapesAndTimes() {
    Predicate<Schedule> anyPartition = s -> s.steps().stream().anyMatch(st -> st.fault() instanceof Fault.Partition);
    Schedule min = Shrinker.shrink(sixSteps(), anyPartition, 200);
    assertThat(min.steps()).containsExactly(
        new Step(0, Shrinker.MIN_DURATION_MILLIS, new Fault.Partition(PartitionShape.ISOLATE, Target.node(0))));
  }

  @Test
  void keepsAShapeWhenOnlyThatShapeFails() {
    Predicate<Schedule> halvesOfReplica = s -> s.steps().stream().anyMatch(st ->
        st.fault() instanceof Fault.Partition p && p.shape() == PartitionShape.HALVES
            && p.target().spec().startsWith("replica:"));
    Schedule min = Shrinker.shrink(sixSteps(), halvesOfReplica, 200);
    assertThat(min.steps()).extracting(Step::fault)
        .containsExactly(new Fault.Partition(PartitionShape.HALVES, Target.replica(0)));
  }

  @Test
  void simplifiesValuesButKeepsTheFaultMeaningful() {
    Predicate<Schedule> anySkew = s -> s.steps().stream().anyMatch(st -> st.fault() instanceof Fault.ClockSkew);
    Fault.ClockSkew skew = (Fault.ClockSkew) Shrinker.shrink(sixSteps(), anySkew, 200).steps().get(0).fault();
    assertThat(Math.abs(skew.rate() - 1)).isGreaterThanOrEqualTo(Shrinker.MIN_SKEW).isLessThan(0.02);
    assertThat(skew.target()).isEqualTo(Target.node(0));

    Predicate<Schedule> strongSkew = s -> s.steps().stream().anyMatch(st ->
        st.fault() instanceof Fault.ClockSkew c && c.rate() >= 1.02);
    assertThat(Shrinker.shrink(sixSteps(), strongSkew, 200).steps()).extracting(Step::fault)
        .containsExactly(new Fault.ClockSkew(Target.node(0), 1.025));

    Predicate<Schedule> anyLoss = s -> s.steps().stream().anyMatch(st -> st.fault() instanceof Fault.PacketLoss);
    Fault.PacketLoss loss = (Fault.PacketLoss) Shrinker.shrink(sixSteps(), anyLoss, 200).steps().get(0).fault();
    assertThat(loss.probability()).isGreaterThanOrEqualTo(Shrinker.MIN_LOSS).isLessThan(0.02);
  }

  @Test
  void keepsEveryStepThatIsNeeded() {
    // Fails only with both a kill and a packet loss, the loss starting at 4 s or later.
    Predicate<Schedule> both = s -> s.steps().stream().anyMatch(st -> st.fault() instanceof Fault.Kill)
        && s.steps().stream().anyMatch(st -> st.fault() instanceof Fault.PacketLoss && st.atMillis() >= 4000);
    Schedule min = Shrinker.shrink(sixSteps(), both, 300);
    assertThat(min.steps()).hasSize(2);
    assertThat(min.steps().get(0).fault()).isEqualTo(new Fault.Kill(Target.node(0), Component.DAEMON));
    assertThat(min.steps().get(0).atMillis()).isZero();
    assertThat(min.steps().get(1).atMillis()).isBetween(4000L, 4100L);
    assertThat(both.test(min)).isTrue();
  }
}
