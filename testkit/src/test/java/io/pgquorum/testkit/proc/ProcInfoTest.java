package io.pgquorum.testkit.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcInfoTest {
  @Test
  void statOfThisJvm() throws Exception {
    long self = ProcessHandle.current().pid();
    assertThat(ProcInfo.state(self)).isIn('R', 'S');
    assertThat(ProcInfo.processGroupOf(self)).isPositive();
    assertThat(ProcInfo.sessionOf(self)).isPositive();
    assertThat(ProcInfo.alive(self)).isTrue();
    assertThat(ProcInfo.alive(-1)).isFalse();
  }

  @Test
  void aPidFileCountsOnlyWhileItsProcessLives(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("postmaster.pid");
    assertThat(ProcInfo.pidFromFile(f)).as("no file").isEmpty();
    Files.writeString(f, ProcessHandle.current().pid() + "\n/data\n");
    assertThat(ProcInfo.pidFromFile(f)).contains(ProcessHandle.current().pid());
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(f, gone.pid() + "\n");
    assertThat(ProcInfo.pidFromFile(f)).as("a dead process's file").isEmpty();
    Files.writeString(f, "not a pid\n");
    assertThat(ProcInfo.pidFromFile(f)).isEmpty();
    Files.writeString(f, "");
    assertThat(ProcInfo.pidFromFile(f)).isEmpty();
  }

  @Test
  void signalsAndStatesOfAChild() throws Exception {
    Process p = new ProcessBuilder("sleep", "60").start();
    try {
      Signals.send("STOP", List.of(p.pid(), 999_999_999L)); // a gone PID among them is fine
      ProcInfo.awaitState(p.pid(), 'T', true, Duration.ofSeconds(10));
      Signals.sendChecked("CONT", p.pid());
      ProcInfo.awaitState(p.pid(), 'T', false, Duration.ofSeconds(10));
      assertThat(ProcInfo.awaitExit(p.pid(), Duration.ofMillis(100))).isFalse();
      Signals.send("KILL", List.of(p.pid()));
      assertThat(ProcInfo.awaitExit(p.pid(), Duration.ofSeconds(10))).isTrue();
      assertThatThrownBy(() -> Signals.sendChecked("CONT", 999_999_999L)).isInstanceOf(IllegalStateException.class);
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void awaitStateFailsWhenTheStateDoesNotCome() throws Exception {
    Process p = new ProcessBuilder("sleep", "60").start();
    try {
      assertThatThrownBy(() -> ProcInfo.awaitState(p.pid(), 'T', true, Duration.ofMillis(200)))
          .hasMessageContaining("waiting for T");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void deadlineAwaitSaysWhatItLastSaw() {
    int[] polls = {0};
    Deadline.await("three polls", Duration.ofSeconds(5), Duration.ofMillis(1), () -> ++polls[0] >= 3, () -> "");
    assertThat(polls[0]).isEqualTo(3);
    assertThatThrownBy(() -> Deadline.await("never", Duration.ofMillis(50), Duration.ofMillis(10), () -> false,
        () -> "nothing")).hasMessage("never: not within 50 ms (last seen: nothing)");
  }

  @Test
  void javaCommandLine() {
    assertThat(JavaCommand.of("a.Main").java("/j/bin/java").classPath("x.jar").jvmOptions("-Xmx1m")
        .systemProperty("k", "v").args("one", "two").toList())
        .containsExactly("/j/bin/java", "-Xmx1m", "-Dk=v", "-cp", "x.jar", "a.Main", "one", "two");
    assertThat(JavaCommand.currentJava()).endsWith("java");
  }
}
