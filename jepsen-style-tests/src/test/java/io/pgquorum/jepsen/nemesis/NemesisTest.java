package io.pgquorum.jepsen.nemesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.Link;
import io.pgquorum.jepsen.fault.PartitionShape;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.ScheduleJson;
import io.pgquorum.jepsen.fault.Step;
import io.pgquorum.jepsen.fault.Target;
import io.pgquorum.jepsen.history.HistoryRecorder;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The nemesis against an in-memory driver. Steps are spaced by hundreds of milliseconds so that the order
 * assertions hold on a loaded two-core machine; the only timing assertion is that no step starts early.
 */
class NemesisTest {
  private static final Set<String> ALL = ScheduleJson.kinds();

  private final HistoryRecorder recorder = new HistoryRecorder();

  private static Schedule schedule(Step... steps) {
    return new Schedule("test", 0, 3, List.of(steps), 0);
  }

  private List<String> events() {
    return recorder.history().byProcess(Nemesis.PROCESS).stream().map(Op::f).toList();
  }

  private List<Op> nemesisOps() {
    return recorder.history().byProcess(Nemesis.PROCESS);
  }

  @Test
  void appliesAndRevertsInScheduleOrderResolvingThePrimaryAtApplyTime() {
    FakeFaultTarget fake = new FakeFaultTarget(3, 2, ALL);
    new Nemesis(fake, recorder).run(schedule(
        new Step(0, 400, new Fault.Partition(PartitionShape.ISOLATE, Target.node(0))),
        new Step(1000, 300, new Fault.Kill(Target.primary(), Component.DCS_MEMBER))));

    assertThat(fake.calls()).containsExactly(
        "cut [0->1, 0->2, 1->0, 2->0]", "restore [0->1, 0->2, 1->0, 2->0]",
        "kill 2 DCS_MEMBER", "restart 2 DCS_MEMBER");
    assertThat(fake.healthy()).isTrue();
    assertThat(events()).containsExactly("start-partition", "stop-partition", "start-kill", "stop-kill");
    List<Op> ops = nemesisOps();
    assertThat(ops).allMatch(o -> o.type() == OpType.INFO && o.error() == null);
    assertThat(ops.get(0).node()).isEqualTo("node1");
    assertThat((String) ops.get(0).value()).contains("isolate", "node:0", "node1", "0->1");
    assertThat(ops.get(2).node()).isEqualTo("node3");
    assertThat((String) ops.get(2).value()).contains("kill", "primary", "node3");
    assertThat(ops.get(3).value()).isEqualTo(ops.get(2).value());
    // Not early: the kill starts no sooner than 1 s and ends no sooner than 1.3 s after run() began.
    assertThat(ops.get(2).timeNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1000));
    assertThat(ops.get(3).timeNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1300));
  }

  @Test
  void theRevertActsOnTheNodeResolvedAtApplyEvenAfterAFailover() {
    FakeFaultTarget fake = new FakeFaultTarget(3, 0, ALL);
    fake.onKill(n -> fake.primary(1)); // the cluster fails over when its primary dies
    new Nemesis(fake, recorder).run(schedule(
        new Step(0, 1500, new Fault.Kill(Target.primary(), Component.DAEMON)),
        new Step(600, 300, new Fault.Pause(Target.primary(), Component.POSTGRES))));
    assertThat(fake.calls()).containsExactly(
        "kill 0 DAEMON", "pause 1 POSTGRES", "resume 1 POSTGRES", "restart 0 DAEMON");
    assertThat(nemesisOps()).extracting(Op::node).containsExactly("node1", "node2", "node2", "node1");
  }

  @Test
  void aRoleNoNodeHoldsIsTakenByIndexAndTheHistorySaysSo() {
    FakeFaultTarget fake = new FakeFaultTarget(3, -1, ALL);
    new Nemesis(fake, recorder).run(schedule(
        new Step(0, 300, new Fault.Partition(PartitionShape.ISOLATE, Target.primary())),
        new Step(400, 300, new Fault.Partition(PartitionShape.ISOLATE, Target.node(1)))));
    List<Op> ops = nemesisOps();
    assertThat(ops.get(0).node()).isEqualTo("node1");
    assertThat((String) ops.get(0).value()).contains("no single primary when the step ran: primary taken by index");
    assertThat((String) ops.get(2).value()).as("a node named by index needs no primary").doesNotContain("primary");
  }

  @Test
  void overlappingPartitionsCountCutsPerLink() {
    FakeFaultTarget fake = new FakeFaultTarget(3, 0, ALL);
    // Both isolate a node; they share the links 0<->1.
    new Nemesis(fake, recorder).run(schedule(
        new Step(0, 1200, new Fault.Partition(PartitionShape.ISOLATE, Target.node(0))),
        new Step(400, 1400, new Fault.Partition(PartitionShape.ISOLATE, Target.node(1)))));
    assertThat(fake.calls()).containsExactly(
        "cut [0->1, 0->2, 1->0, 2->0]",
        "cut [1->2, 2->1]",             // 0<->1 already cut: not cut again
        "restore [0->2, 2->0]",         // the first heal keeps 0<->1, which the second still needs
        "restore [0->1, 1->0, 1->2, 2->1]");
    assertThat(events()).containsExactly("start-partition", "start-partition", "stop-partition", "stop-partition");
    assertThat(fake.cutLinks()).isEmpty();
  }

  @Test
  void identicalSimultaneousPartitionsCutAndRestoreOnce() {
    FakeFaultTarget fake = new FakeFaultTarget(3, 0, ALL);
    Fault halves = new Fault.Partition(PartitionShape.HALVES, Target.node(2));
    new Nemesis(fake, recorder).run(schedule(new Step(0, 300, halves), new Step(0, 300, halves)));
    assertThat(fake.calls()).containsExactly("cut [0->2, 1->2, 2->0, 2->1]", "restore [0->2, 1->2, 2->0, 2->1]");
    assertThat(events()).containsExactly("start-partition", "start-partition", "stop-partition", "stop-partition");
  }

  @Test
  void overlappingKillsOfOneNodeKillOnceAndRestartAtTheLastEnd() {
    FakeFaultTarget fake = new FakeFaultTarget(3, 0, ALL);
    new Nemesis(fake, recorder).run(schedule(
        new Step(0, 1300, new Fault.Kill(Target.node(1), Component.DAEMON)),
        new Step(400, 400, new Fault.Kill(Target.replica(0), Component.DAEMON))));
    assertThat(fake.calls()).containsExactly("kill 1 DAEMON", "restart 1 DAEMON");
    assertThat(events()).containsExactly("start-kill", "start-kill", "stop-kill", "stop-kill");
  }

  @Test
  void overlappingSkewLossAndDelayComposeAndGoBackToNormal() {
    FakeFaultTarget fake = new FakeFaultTarget(3, 0, ALL);
    new Nemesis(fake, recorder).run(schedule(
        new Step(0, 1600, new Fault.ClockSkew(Target.node(0), 1.05)),
        new Step(0, 1600, new Fault.PacketLoss(0.1)),
        new Step(0, 1600, new Fault.Delay(20)),
        new Step(500, 500, new Fault.ClockSkew(Target.node(0), 0.95)),
        new Step(500, 500, new Fault.PacketLoss(0.3)),
        new Step(500, 500, new Fault.Delay(5))));
    List<String> calls = fake.calls();
    assertThat(calls.stream().filter(c -> c.startsWith("clock")))
        .containsExactly("clock 0 x1.05", "clock 0 x0.95", "clock 0 x1.05", "clock 0 x1.0");
    assertThat(calls.stream().filter(c -> c.startsWith("loss")))
        .containsExactly("loss 0.1", "loss 0.3", "loss 0.1", "loss 0.0");
    // The larger delay stays in force; the smaller one changes nothing.
    assertThat(calls.stream().filter(c -> c.startsWith("delay"))).containsExactly("delay 20", "delay 0");
    assertThat(fake.healthy()).isTrue();
    assertThat(nemesisOps()).filteredOn(o -> o.f().endsWith("packet-loss")).allMatch(o -> o.node() == null);
  }

  @Test
  void overlappingConfigEditsComposeAndWriteBackTheOriginalValue() {
    FakeFaultTarget fake = new FakeFaultTarget(3, 0, ALL);
    new Nemesis(fake, recorder).run(schedule(
        new Step(0, 1600, new Fault.DcsConfig("ttl", 30)),
        new Step(500, 500, new Fault.DcsConfig("ttl", 16)),
        new Step(0, 300, new Fault.DcsConfig("primary_start_timeout", 0))));
    assertThat(fake.calls().stream().filter(c -> c.startsWith("config ttl")))
        .containsExactly("config ttl=30", "config ttl=16", "config ttl=30", "config ttl=8");
    // A key the configuration did not have is removed again, not left at a value.
    assertThat(fake.calls().stream().filter(c -> c.startsWith("config primary")))
        .containsExactly("config primary_start_timeout=0", "config primary_start_timeout=absent");
    assertThat(fake.healthy()).isTrue();
    assertThat(nemesisOps()).filteredOn(o -> o.f().equals("start-dcs-config")).hasSize(3)
        .allMatch(o -> o.node() == null && String.valueOf(o.value()).startsWith("dcs-config "));
  }

  @Test
  void refusesAnUnsupportedFaultBeforeRunningAnything() {
    FakeFaultTarget fake = new FakeFaultTarget(3, 0, Set.of("partition", "kill"));
    Nemesis nemesis = new Nemesis(fake, recorder);
    assertThatThrownBy(() -> nemesis.run(schedule(
        new Step(0, 100, new Fault.Partition(PartitionShape.ISOLATE, Target.node(0))),
        new Step(50, 100, new Fault.Pause(Target.primary(), Component.POSTGRES)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("step 1").hasMessageContaining("pause postgres of primary")
        .hasMessageContaining("FakeFaultTarget");
    assertThat(fake.calls()).isEmpty();
    assertThat(events()).isEmpty();
  }

  @Test
  void refusesAScheduleForAnotherClusterOrANodeThatDoesNotExist() {
    FakeFaultTarget fake = new FakeFaultTarget(3, 0, ALL);
    Nemesis nemesis = new Nemesis(fake, recorder);
    assertThatThrownBy(() -> nemesis.run(new Schedule("five", 0, 5, List.of(), 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 nodes");
    assertThatThrownBy(() -> nemesis.run(schedule(new Step(0, 100, new Fault.Kill(Target.node(3), Component.DAEMON)))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step 0").hasMessageContaining("node:3");
    assertThatThrownBy(() -> nemesis.run(schedule(new Step(0, 100,
        new Fault.ClockSkew(Target.replica(2), 2.0)))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replica:2");
    assertThat(fake.calls()).isEmpty();
  }

  @Test
  void anInterruptRevertsEverythingAndReturnsWithTheFlagSet() throws Exception {
    FakeFaultTarget fake = new FakeFaultTarget(3, 0, ALL);
    Nemesis nemesis = new Nemesis(fake, recorder);
    AtomicBoolean flagAfterRun = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread runner = new Thread(() -> {
      try {
        nemesis.run(schedule(
            new Step(0, 60_000, new Fault.Partition(PartitionShape.HALVES, Target.node(0))),
            new Step(0, 60_000, new Fault.Pause(Target.node(1), Component.DAEMON)),
            new Step(0, 60_000, new Fault.ClockSkew(Target.node(2), 1.05)),
            new Step(30_000, 1000, new Fault.Kill(Target.node(2), Component.DAEMON))));
        flagAfterRun.set(Thread.currentThread().isInterrupted());
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    runner.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> fake.calls().size() == 3);
    assertThat(fake.healthy()).isFalse();
    runner.interrupt();
    runner.join(TimeUnit.SECONDS.toMillis(20)); // the bound is the behaviour: an interrupt ends the run
    assertThat(runner.isAlive()).isFalse();
    assertThat(failure.get()).isNull();
    assertThat(flagAfterRun.get()).isTrue();
    assertThat(fake.healthy()).isTrue();
    assertThat(fake.calls()).noneMatch(c -> c.startsWith("kill"));
    assertThat(events()).containsExactlyInAnyOrder("start-partition", "start-pause", "start-clock-skew",
        "stop-partition", "stop-pause", "stop-clock-skew");
  }

  @Test
  void healAllRevertsWhatIsActiveAndTheStepDoesNotRevertItAgain() throws Exception {
    FakeFaultTarget fake = new FakeFaultTarget(3, 0, ALL);
    Nemesis nemesis = new Nemesis(fake, recorder);
    nemesis.healAll(); // nothing active: nothing happens
    assertThat(fake.calls()).isEmpty();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread runner = new Thread(() -> {
      try {
        nemesis.run(schedule(new Step(0, 1500, new Fault.Partition(PartitionShape.ONE_WAY, Target.node(2)))));
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    runner.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> !fake.cutLinks().isEmpty());
    assertThat(fake.cutLinks()).containsExactlyInAnyOrder(new Link(2, 0), new Link(2, 1));
    nemesis.healAll();
    assertThat(fake.cutLinks()).isEmpty();
    runner.join(TimeUnit.SECONDS.toMillis(20));
    assertThat(runner.isAlive()).isFalse();
    assertThat(failure.get()).isNull(); // a second restore would have thrown in the fake
    assertThat(fake.calls()).containsExactly("cut [2->0, 2->1]", "restore [2->0, 2->1]");
    assertThat(events()).containsExactly("start-partition", "stop-partition");
  }

  @Test
  void aFailingDriverCallStopsTheRunAndHealsTheRest() {
    FakeFaultTarget fake = new FakeFaultTarget(3, 0, ALL);
    fake.failOn("kill");
    Nemesis nemesis = new Nemesis(fake, recorder);
    assertThatThrownBy(() -> nemesis.run(schedule(
        new Step(0, 60_000, new Fault.Partition(PartitionShape.ISOLATE, Target.node(1))),
        new Step(400, 60_000, new Fault.Kill(Target.primary(), Component.DAEMON)))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("step 1").hasMessageContaining("kill daemon of primary")
        .hasMessageContaining("fake driver refuses kill 0 DAEMON");
    assertThat(fake.cutLinks()).isEmpty();
    List<Op> startKill = nemesisOps().stream().filter(o -> o.f().equals("start-kill")).toList();
    assertThat(startKill).hasSize(1);
    assertThat(startKill.get(0).error()).contains("fake driver refuses");
    assertThat(events()).contains("stop-partition");
  }

  @Test
  void anEmptyScheduleDoesNothing() {
    FakeFaultTarget fake = new FakeFaultTarget(3, 0, ALL);
    new Nemesis(fake, recorder).run(schedule());
    assertThat(fake.calls()).isEmpty();
    assertThat(events()).isEmpty();
  }
}
