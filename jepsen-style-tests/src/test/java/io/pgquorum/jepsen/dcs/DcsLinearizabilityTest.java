package io.pgquorum.jepsen.dcs;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.checker.Verdict;
import io.pgquorum.jepsen.fault.Component;
import io.pgquorum.jepsen.fault.Fault;
import io.pgquorum.jepsen.fault.PartitionShape;
import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.Step;
import io.pgquorum.jepsen.fault.Target;
import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.HistoryJson;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import io.pgquorum.jepsen.runner.DcsTrial;
import io.pgquorum.jepsen.runner.TrialResult;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * P4 and P6 at the DCS level through the same path the property tests and {@code bin/jepsen-run} use
 * ({@link DcsTrial}, the real nemesis): the register, the leader lock and TTL leases on a 3-member group while the
 * leader is isolated, killed with -9 and restarted, then SIGSTOPped and continued. Beyond the trial's verdicts (both
 * linearizable, writes back after the heal), the history itself must be well formed, show progress while the group is
 * healthy, and contain a successful operation of every kind, so the linearizability verdicts are not vacuous.
 */
class DcsLinearizabilityTest {
  /** OK operations that mark a healthy phase (before the first fault, after the last heal) as making progress. */
  private static final int HEALTHY_OKS = 20;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failure keeps the members' logs for diagnosis
  Path dir;

  @Test
  void registerAndLockStayLinearizableThroughPartitionKillAndPause() {
    Schedule schedule = new Schedule("isolate-kill-pause-leader", 0, 3, List.of(
        new Step(5_000, 2_500, new Fault.Partition(PartitionShape.ISOLATE, Target.primary())),
        new Step(8_500, 1_500, new Fault.Kill(Target.primary(), Component.DCS_MEMBER)),
        new Step(11_000, 2_000, new Fault.Pause(Target.primary(), Component.DCS_MEMBER))), 8_000);

    TrialResult r = new DcsTrial().run(schedule, dir.resolve("run"));
    System.out.println(r.summary());
    History history = r.history();

    assertThat(r.passed()).as(r.summary()).isTrue();
    assertWellFormed(history);
    assertProgressWhileHealthy(history);
    Map<String, Long> okByF = history.pairs().stream().filter(p -> p.outcome() == OpType.OK)
        .collect(Collectors.groupingBy(p -> p.invoke().key().split("/")[1] + ":" + p.invoke().f(),
            Collectors.counting()));
    assertThat(okByF).containsKeys("register:read", "register:write", "register:cas", "lock:read",
        "lock:acquire", "lock:release", "lease:acquire", "lease:refresh", "lease:read");
    // The lease checkers judged real leases, and at least one expired while clients watched (the DCS's
    // clock-dependent code ran, across the leader changes the faults caused).
    assertThat(r.result(DcsTrial.LEASE).verdict()).isEqualTo(Verdict.VALID);
    assertThat(r.result(DcsTrial.LEASE_EXPIRY).verdict()).isEqualTo(Verdict.VALID);
    assertThat((Integer) r.result(DcsTrial.LEASE_EXPIRY).stats().get("expiries-observed")).isPositive();
    assertThat(HistoryJson.read(r.dir().resolve("history.jsonl")).ops()).hasSameSizeAs(history.ops());
  }

  private static void assertWellFormed(History h) {
    List<History.Pair> pairs = h.pairs(); // throws if a process had two open operations
    assertThat(pairs).isNotEmpty();
    Set<String> ended = new HashSet<>();
    for (History.Pair p : pairs) {
      assertThat(p.completion()).as("op %d completed", p.invoke().index()).isNotNull();
      assertThat(ended).as("process %s invoked after an INFO", p.invoke().process())
          .doesNotContain(p.invoke().process());
      if (p.outcome() == OpType.INFO) {
        ended.add(p.invoke().process());
        assertThat(p.invoke().f()).as("only state-changing ops end as INFO").isNotEqualTo("read");
      }
      assertThat(p.completion().f()).isEqualTo(p.invoke().f());
      assertThat(p.completion().key()).isEqualTo(p.invoke().key());
    }
    // Steps run on their own threads and "stop" is recorded once the revert is in place (a member restart can
    // take seconds), so events of different steps may interleave; each step's start precedes its stop.
    List<String> events = h.byProcess("nemesis").stream().map(Op::f).toList();
    assertThat(events).containsExactlyInAnyOrder("start-partition", "stop-partition", "start-kill", "stop-kill",
        "start-pause", "stop-pause");
    for (String kind : List.of("partition", "kill", "pause")) {
      assertThat(events.indexOf("start-" + kind)).as(kind + " starts before it stops")
          .isLessThan(events.indexOf("stop-" + kind));
    }
  }

  /** Before the first fault and after the last heal, clients made progress. */
  private static void assertProgressWhileHealthy(History h) {
    List<Op> nemesis = h.byProcess("nemesis");
    long firstFault = nemesis.get(0).timeNanos();
    long lastHeal = nemesis.stream().filter(o -> o.f().startsWith("stop-")).mapToLong(Op::timeNanos).max()
        .orElseThrow();
    long okBefore = h.pairs().stream().filter(p -> p.outcome() == OpType.OK)
        .filter(p -> p.completion().timeNanos() < firstFault).count();
    long okAfter = h.pairs().stream().filter(p -> p.outcome() == OpType.OK)
        .filter(p -> p.invoke().timeNanos() > lastHeal).count();
    assertThat(okBefore).as("ok ops before the first fault").isGreaterThanOrEqualTo(HEALTHY_OKS);
    assertThat(okAfter).as("ok ops after the last heal").isGreaterThanOrEqualTo(HEALTHY_OKS);
  }
}
