package io.pgquorum.backrest.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ProcessExecTest {
  @Test
  void capturesOutputAndExitCode() {
    ProcessExec.Result r = ProcessExec.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
        Duration.ofSeconds(20));
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.stdout()).isEqualTo("out\n");
    assertThat(r.stderr()).isEqualTo("err\n");
    assertThat(r.timedOut()).isFalse();
  }

  /**
   * A short run's output while long runs occupy as many drain threads as the common pool has workers (a restore
   * and a backup on a node while the repository probe asks {@code info}): in a bounded pool its drains would
   * queue behind theirs, and its output would be lost. The surefire argLine sizes the common pool as on a larger
   * machine, so that the bounded case is the one tested.
   */
  @Test
  void shortRunKeepsItsOutputWhileLongRunsAreDraining() throws Exception {
    int workers = ForkJoinPool.getCommonPoolParallelism();
    assertThat(workers).as("the argLine's common pool size").isGreaterThan(1);
    ExecutorService callers = Executors.newFixedThreadPool(workers);
    try {
      List<Future<ProcessExec.Result>> longRuns = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        // Killed at the timeout: each holds its two drains until then.
        longRuns.add(callers.submit(() -> ProcessExec.run(List.of("sleep", "60"), Duration.ofSeconds(12))));
      }
      ProcessExec.Result shortRun = ProcessExec.run(List.of("sh", "-c", "sleep 1; echo still here"),
          Duration.ofSeconds(20));
      assertThat(shortRun.exitCode()).isZero();
      assertThat(shortRun.stdout()).isEqualTo("still here\n");
      for (Future<ProcessExec.Result> f : longRuns) {
        assertThat(f.get().timedOut()).isTrue();
      }
    } finally {
      callers.shutdownNow();
    }
  }
}
