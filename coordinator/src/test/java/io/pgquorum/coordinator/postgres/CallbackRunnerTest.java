package io.pgquorum.coordinator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgquorum.coordinator.config.CallbackAction;
import io.pgquorum.coordinator.config.CallbacksConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scripts pgquorum runs: arguments, no shell, replacement of a running callback, the two waited-for hooks. */
class CallbackRunnerTest {
  @TempDir
  Path dir;

  private Path script(String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  private CallbackRunner runner(Map<CallbackAction, String> callbacks, Optional<String> pre, Optional<String> stop) {
    return new CallbackRunner(new CallbacksConfig(callbacks, pre, stop), "demo", Duration.ofSeconds(3),
        UnaryOperator.identity());
  }

  /** Waits (bounded) until {@code file} has {@code lines} lines; returns them. */
  private static List<String> awaitLines(Path file, int lines) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && Files.readAllLines(file).size() >= lines) {
        return Files.readAllLines(file);
      }
      Thread.sleep(20);
    }
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  @Test
  void aCallbackGetsItsWordsThenActionRoleAndScopeWithoutAShell() throws Exception {
    Path out = dir.resolve("args");
    Path cb = script("cb", "for a in \"$@\"; do printf '[%s]' \"$a\" >> " + out + "; done; echo >> " + out);
    // Quotes group words; $HOME and the semicolon reach the script literally: no shell interprets them.
    runner(Map.of(CallbackAction.ON_START, cb + " 'two words' $HOME ';'"), Optional.empty(), Optional.empty())
        .fire(CallbackAction.ON_START, "replica");
    assertThat(awaitLines(out, 1)).containsExactly("[two words][$HOME][;][on_start][replica][demo]");
  }

  @Test
  void aNewCallbackKillsTheOneStillRunningWithItsChildren() throws Exception {
    Path out = dir.resolve("events");
    Path pids = dir.resolve("child-pid");
    // The first callback starts a child that would write after 3 s, and waits for it; it must never get there.
    Path slow = script("slow", "sleep 30 & echo $! > " + pids + "; echo started-$1 >> " + out
        + "; wait; echo finished-$1 >> " + out);
    Path fast = script("fast", "echo ran-$1-$2 >> " + out);
    CallbackRunner r = runner(Map.of(CallbackAction.ON_START, slow.toString(),
        CallbackAction.ON_ROLE_CHANGE, fast.toString()), Optional.empty(), Optional.empty());
    r.fire(CallbackAction.ON_START, "replica");
    assertThat(awaitLines(out, 1)).containsExactly("started-on_start");
    long child = Long.parseLong(awaitLines(pids, 1).get(0).trim());
    r.fire(CallbackAction.ON_ROLE_CHANGE, "primary");
    assertThat(awaitLines(out, 2)).containsExactly("started-on_start", "ran-on_role_change-primary");
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false))
        .as("the replaced callback's child is killed too").isFalse();
    assertThat(Files.readAllLines(out)).doesNotContain("finished-on_start");
  }

  @Test
  void onReloadDoesNotReplaceAnotherCallback() throws Exception {
    Path out = dir.resolve("events");
    Path slow = script("slow", "echo started >> " + out + "; sleep 1; echo finished-$1 >> " + out);
    Path reload = script("reload", "echo ran-$1 >> " + out);
    CallbackRunner r = runner(Map.of(CallbackAction.ON_START, slow.toString(),
        CallbackAction.ON_RELOAD, reload.toString()), Optional.empty(), Optional.empty());
    r.fire(CallbackAction.ON_START, "primary");
    awaitLines(out, 1);
    r.fire(CallbackAction.ON_RELOAD, "primary");
    assertThat(awaitLines(out, 3)).containsExactlyInAnyOrder("started", "ran-on_reload", "finished-on_start");
  }

  @Test
  void aMissingOrFailingCallbackIsOnlyLogged() {
    CallbackRunner r = runner(Map.of(CallbackAction.ON_STOP, dir.resolve("does-not-exist").toString()),
        Optional.empty(), Optional.empty());
    r.fire(CallbackAction.ON_STOP, "replica"); // no exception
    r.fire(CallbackAction.ON_START, "replica"); // not configured: nothing
  }

  @Test
  void prePromoteAllowsOnlyAnExitOfZero() throws Exception {
    assertThat(runner(Map.of(), Optional.of(script("ok", "exit 0").toString()), Optional.empty()).prePromote())
        .isTrue();
    assertThat(runner(Map.of(), Optional.of(script("no", "exit 1").toString()), Optional.empty()).prePromote())
        .isFalse();
    assertThat(runner(Map.of(), Optional.of(dir.resolve("missing").toString()), Optional.empty()).prePromote())
        .isFalse();
    assertThat(runner(Map.of(), Optional.empty(), Optional.empty()).prePromote()).as("none configured").isTrue();
    long start = System.nanoTime();
    assertThat(runner(Map.of(), Optional.of(script("slow", "sleep 30").toString()), Optional.empty()).prePromote())
        .as("a script that outlives its bound refuses").isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void beforeStopIsWaitedForAndItsExitIgnored() throws Exception {
    Path out = dir.resolve("stop");
    runner(Map.of(), Optional.empty(), Optional.of(script("bs", "sleep 0.3; echo done > " + out + "; exit 3")
        .toString())).beforeStop();
    assertThat(Files.readAllLines(out)).as("written before beforeStop returned").containsExactly("done");
  }
}
