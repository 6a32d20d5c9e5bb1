package io.pgquorum.jepsen.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.jepsen.fault.Schedule;
import io.pgquorum.jepsen.fault.ScheduleJson;
import io.pgquorum.jepsen.history.History;
import io.pgquorum.jepsen.history.Op;
import io.pgquorum.jepsen.history.OpType;
import io.pgquorum.jepsen.nemesis.Nemesis;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The observation window after the heal belongs to the real heal, not the planned one. Found by the long campaign:
 * a 5-member clock-skew trial on a loaded machine took ~20 s to apply and revert its step (each a restart of a
 * member JVM, under libfaketime and back), the workloads stopped at the schedule's planned end, and the history
 * ended at the heal: availability UNKNOWN ("history ends 0.0 s after the last heal"). Here a clock-skew step whose
 * restarts alone outlast its planned quiet tail (300 ms): before the fix no client invoked anything after the heal;
 * now the clients keep working for quietMillis after it.
 */
class DcsTrialIT {

  @Test
  void theWorkloadRunsForTheQuietTailAfterTheRealHeal(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
    Schedule schedule = ScheduleJson.read("""
        {"name": "slow-heal", "seed": 20261604, "nodes": 3, "quietMillis": 300,
         "steps": [{"atMillis": 500, "durationMillis": 500,
                    "fault": {"kind": "clock-skew", "target": "node:1", "rate": 1.05}}]}
        """, "slow-heal");
    TrialResult result = new DcsTrial().run(schedule, dir.resolve("run"));
    History history = result.history();
    long healed = Runs.lastHealNanos(history);
    long lastInvoke = history.ops().stream()
        .filter(op -> op.type() == OpType.INVOKE && !op.process().equals(Nemesis.PROCESS))
        .mapToLong(Op::timeNanos).max().orElse(-1);
    assertThat(history.byProcess(Nemesis.PROCESS)).as("the nemesis healed").anyMatch(op -> op.f().startsWith("stop-"));
    assertThat(lastInvoke - healed)
        .as("client operations invoked after the heal (ns); the quiet tail is 300 ms, history in %s", dir)
        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
  }
}
