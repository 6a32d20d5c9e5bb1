package io.pgquorum.testkit.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher on real processes (sh, sleep and one small JVM). */
class DaemonTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  @TempDir
  Path dir;
  private Daemon daemon;

  @AfterEach
  void tearDown() {
    if (daemon != null) {
      daemon.kill(WAIT);
      daemon.leftovers().forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void launchAppendsEveryStartsOutputWithItsBannerAndEnvironment() {
    daemon = new Daemon("test daemon", dir.resolve("out.log"));
    Map<String, String> env = new HashMap<>();
    env.put("TESTKIT_GREETING", "hello");
    env.put("HOME", null); // removed from the inherited environment
    Process first = daemon.launch(new Launch(List.of("sh", "-c", "echo \"$TESTKIT_GREETING home=${HOME:-unset}\""),
        env, "=== start 1", false));
    daemon.awaitOutput(first, "home=unset", WAIT);
    assertThat(daemon.awaitExit(WAIT)).isTrue();
    Process second = daemon.launch(Launch.of(List.of("sh", "-c", "echo again")).withBanner("=== start 2"));
    daemon.awaitOutput(second, "again", WAIT);
    assertThat(daemon.awaitExit(WAIT)).isTrue();
    assertThat(LogFile.read(daemon.log())).isEqualTo("=== start 1\nhello home=unset\n=== start 2\nagain\n");
    assertThat(daemon.logOfLaunch()).isEqualTo("=== start 2\nagain\n");
    assertThat(daemon.pid()).isEqualTo(second.pid());
  }

  @Test
  void pauseStopsTheProcessAndResumeLetsItGo() throws Exception {
    daemon = new Daemon("sleeper", dir.resolve("s.log"));
    daemon.launch(Launch.of(List.of("sleep", "60")));
    assertThat(daemon.alive()).isTrue();
    daemon.pause();
    assertThat(ProcInfo.state(daemon.pid())).isEqualTo('T');
    assertThat(daemon.paused()).isTrue();
    daemon.resume();
    assertThat(ProcInfo.state(daemon.pid())).isNotEqualTo('T');
    assertThat(daemon.paused()).isFalse();
  }

  @Test
  void killEndsEvenAStoppedProcessAndRemembersWhatItLeavesBehind() throws Exception {
    daemon = new Daemon("parent", dir.resolve("p.log"));
    Process p = daemon.launch(Launch.of(List.of("sh", "-c", "sleep 60 & echo started; wait")));
    daemon.awaitOutput(p, "started", WAIT);
    daemon.pause();
    assertThat(daemon.kill(WAIT)).isTrue();
    assertThat(daemon.alive()).isFalse();
    assertThat(daemon.paused()).isFalse();
    List<ProcessHandle> left = daemon.leftovers();
    assertThat(left).hasSize(1);
    assertThat(left.get(0).isAlive()).as("the child outlives its parent's kill -9, as in real life").isTrue();
    assertThat(daemon.kill(WAIT)).as("killing a dead daemon is a no-op").isTrue();
    assertThatThrownBy(daemon::pause).hasMessageContaining("cannot pause parent: it is not running");
  }

  @Test
  void terminateAsksForACleanExit() {
    daemon = new Daemon("sleeper", dir.resolve("s.log"));
    Process p = daemon.launch(Launch.of(List.of("sleep", "60")));
    daemon.terminate();
    assertThat(daemon.awaitExit(WAIT)).isTrue();
    assertThat(p.exitValue()).as("killed by SIGTERM").isEqualTo(128 + 15);
  }

  @Test
  void aDaemonThatDiesBeforeItIsReadyFailsWithItsOutput() {
    daemon = new Daemon("DCS member m2", dir.resolve("m2.log"));
    Process p = daemon.launch(Launch.of(List.of("sh", "-c", "echo boom; exit 3")));
    assertThatThrownBy(() -> daemon.awaitOutput(p, "READY", WAIT))
        .hasMessageContaining("DCS member m2 exited with status 3 before it was ready").hasMessageContaining("boom");
  }

  @Test
  void aDaemonThatIsNeverReadyFailsAtTheDeadline() {
    daemon = new Daemon("slow", dir.resolve("slow.log"));
    Process p = daemon.launch(Launch.of(List.of("sleep", "60")));
    assertThatThrownBy(() -> daemon.awaitOutput(p, "READY", Duration.ofMillis(300)))
        .hasMessageContaining("slow not ready after");
  }

  @Test
  void aLaunchKilledByItsOwnerEndsItsWaitWithoutFailureEvenBeforeTheNextLaunch() throws Exception {
    daemon = new Daemon("m1", dir.resolve("m1.log"));
    Process first = daemon.launch(Launch.of(List.of("sleep", "60")));
    CompletableFuture<Void> firstWait = CompletableFuture.runAsync(() -> daemon.awaitOutput(first, "READY", WAIT));
    daemon.kill(WAIT);
    // No relaunch yet: the waiter must not report the owner's kill -9 as "exited with status 137".
    firstWait.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void aLaunchSupersededWhileStartingEndsItsWaitWithoutFailure() throws Exception {
    daemon = new Daemon("m1", dir.resolve("m1.log"));
    Process first = daemon.launch(Launch.of(List.of("sleep", "60")));
    CompletableFuture<Void> firstWait = CompletableFuture.runAsync(() -> daemon.awaitOutput(first, "READY", WAIT));
    daemon.kill(WAIT);
    daemon.launch(Launch.of(List.of("sleep", "60")));
    firstWait.get(WAIT.toSeconds(), TimeUnit.SECONDS); // returns instead of reporting exit 137
  }

  @Test
  void behindAWrapperThePidIsTheJvms() throws Exception {
    daemon = new Daemon("wrapped", dir.resolve("w.log"));
    List<String> java = JavaCommand.of(SleepMain.class).jvmOptions("-XX:TieredStopAtLevel=1", "-Xmx32m")
        .args("wrapped").toList();
    // "; true" keeps sh from exec'ing into java: the JVM is a child of the wrapper, as under runuser.
    String script = String.join(" ", java.stream().map(a -> "'" + a + "'").toList()) + "; true";
    Process wrapper = daemon.launch(Launch.of(List.of("sh", "-c", script)).behindWrapper());
    daemon.awaitOutput(wrapper, "READY wrapped", Duration.ofSeconds(30));
    assertThat(daemon.pid()).isNotEqualTo(wrapper.pid());
    assertThat(ProcessHandle.of(daemon.pid()).flatMap(h -> h.info().command()).orElseThrow()).endsWith("/java");
    assertThat(daemon.kill(WAIT)).isTrue();
    assertThat(wrapper.waitFor(10, TimeUnit.SECONDS)).as("the wrapper goes with it").isTrue();
  }

  @Test
  void beforeItsFirstLaunchThereIsNothingToControl() {
    daemon = new Daemon("idle", dir.resolve("idle.log"));
    assertThat(daemon.pid()).isEqualTo(-1);
    assertThat(daemon.alive()).isFalse();
    assertThat(daemon.handle()).isEmpty();
    assertThat(daemon.kill(WAIT)).isTrue();
    assertThatThrownBy(daemon::process).hasMessageContaining("idle was never started");
  }
}
