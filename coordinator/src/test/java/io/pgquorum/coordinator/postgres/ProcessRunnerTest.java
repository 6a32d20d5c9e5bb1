package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgquorum.coordinator.postgres.ProcessRunner.OnTimeout;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Deadlines, captured output, messages and masking of the tool runner. */
class ProcessRunnerTest {
  private final ProcessRunner runner = new ProcessRunner(new Redactor(List.of("hunter2")));

  @Test
  void failureNamesTheOperationWithTheOutputTailAndMasksSecrets() {
    assertThatThrownBy(() -> runner.check("frobnicate", List.of("sh", "-c", "echo first; echo pw=hunter2 >&2;"
        + " exit 3"), Map.of(), Duration.ofSeconds(10), OnTimeout.KILL_TREE))
        .isInstanceOf(PostgresException.class)
        .hasMessageStartingWith("frobnicate failed (exit 3)")
        .hasMessageContaining("first").hasMessageContaining("pw=<redacted>").hasMessageNotContaining("hunter2");
  }

  @Test
  void aToolThatOverrunsItsDeadlineIsKilledWithItsChildren() {
    long start = System.nanoTime();
    PostgresException e = org.junit.jupiter.api.Assertions.assertThrows(PostgresException.class,
        () -> runner.run("slow", List.of("sh", "-c", "sleep 60 & echo $!; wait"), Map.of(), Duration.ofSeconds(1),
            OnTimeout.KILL_TREE));
    assertThat(e).hasMessageStartingWith("slow timed out after 1 s");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    long child = Long.parseLong(e.getMessage().substring(e.getMessage().lastIndexOf('\n') + 1).trim());
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
  }

  @Test
  void aDaemonLeftBehindDoesNotHoldTheRunUntilItExits() {
    // pg_ctl start leaves a postmaster running; output goes to a file, so the run ends with the tool.
    ProcessRunner.Result r = runner.run("spawn", List.of("sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"),
        Map.of(), Duration.ofSeconds(20), OnTimeout.KILL_TOOL);
    long pid = Long.parseLong(r.output().trim());
    try {
      assertThat(r.ok()).isTrue();
      assertThat(ProcessHandle.of(pid)).as("the background child still runs").isPresent();
    } finally {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void environmentIsPassedAndPasswordVariablesAreNotInherited() {
    ProcessRunner.Result r = runner.run("env", List.of("sh", "-c", "echo \"$PGPASSFILE|${PGPASSWORD:-unset}\""),
        Map.of("PGPASSFILE", "/x/pgpass"), Duration.ofSeconds(10), OnTimeout.KILL_TREE);
    assertThat(r.output().trim()).isEqualTo("/x/pgpass|unset");
  }

  @Test
  void aMissingBinaryIsAClearError() {
    assertThatThrownBy(() -> runner.run("initdb", List.of("/nonexistent/initdb"), Map.of(), Duration.ofSeconds(5),
        OnTimeout.KILL_TREE)).hasMessageStartingWith("initdb failed: cannot run /nonexistent/initdb");
  }

  @Test
  void theOutputFileHasNoNameWhileTheToolRuns() {
    // A daemon killed with SIGKILL mid-tool cannot clean up: the capture file must already be unlinked. The tool
    // waits (bounded by the run's deadline) until its own stdout's name is gone, then says so.
    ProcessRunner.Result r = runner.run("unlinked", List.of("sh", "-c",
        "f=$(readlink /proc/$$/fd/1); while [ -e \"$f\" ]; do sleep 0.01; done; echo gone"), Map.of(),
        Duration.ofSeconds(10), OnTimeout.KILL_TREE);
    assertThat(r.output().trim()).isEqualTo("gone");
  }
}
