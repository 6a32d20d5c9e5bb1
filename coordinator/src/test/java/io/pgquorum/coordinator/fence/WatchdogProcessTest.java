package io.pgquorum.coordinator.fence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real watchdog child JVM, driven through {@link WatchdogProcess}, with a fake {@code pg_ctl} that records its
 * arguments: it fences at an armed deadline, not when disarmed, keeps the deadline when the daemon's pipe closes,
 * and is replaced when it dies.
 */
class WatchdogProcessTest {
  @TempDir
  Path dir;
  Path calls;
  Path pgCtl;
  final List<WatchdogProcess> started = new ArrayList<>();
  final List<ProcessHandle> children = new ArrayList<>();

  @BeforeEach
  void fakePgCtl() throws IOException {
    calls = dir.resolve("calls.txt");
    pgCtl = dir.resolve("pg_ctl");
    Files.writeString(pgCtl, "#!/bin/sh\necho \"$@\" >> '" + calls + "'\n");
    Files.setPosixFilePermissions(pgCtl, PosixFilePermissions.fromString("rwx------"));
  }

  @AfterEach
  void stopAll() throws Exception {
    for (WatchdogProcess w : started) {
      w.close();
    }
    for (ProcessHandle h : children) {
      h.destroyForcibly();
      h.onExit().get(10, TimeUnit.SECONDS);
    }
  }

  private WatchdogProcess start(Runnable onLost) throws InterruptedException {
    WatchdogProcess w = new WatchdogProcess(WatchdogProcess.command(pgCtl, dir.resolve("pgdata"), "t", 5),
        Optional.of(dir.resolve("watchdog.log")), System::nanoTime, onLost, "t");
    started.add(w);
    w.start();
    assertThat(w.awaitReady(Duration.ofSeconds(30))).as("the child JVM says READY").isTrue();
    children.add(ProcessHandle.of(w.pid().orElseThrow()).orElseThrow());
    return w;
  }

  private List<String> calls() throws IOException {
    return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
  }

  private String log() throws IOException {
    Path p = dir.resolve("watchdog.log");
    return Files.exists(p) ? Files.readString(p) : "";
  }

  @Test
  void fencesAtAnArmedDeadlineThatIsNotExtended() throws Exception {
    WatchdogProcess w = start(() -> { });
    long armedAt = System.nanoTime();
    w.armed(7, armedAt + Duration.ofMillis(800).toNanos());
    await().atMost(Duration.ofSeconds(10)).until(() -> !calls().isEmpty());
    long fencedAfterMs = (System.nanoTime() - armedAt) / 1_000_000L;
    assertThat(fencedAfterMs).as("not before the deadline").isGreaterThanOrEqualTo(800);
    assertThat(calls()).containsExactly("stop -m immediate -w -t 5 -D " + dir.resolve("pgdata"));
    // The watchdog logs once pg_ctl has returned, a moment after the fake recorded the call.
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(log()).contains("FENCED: the lease deadline passed without a refresh"));
  }

  @Test
  void refreshedOrDisarmedLeasesAreNotFenced() throws Exception {
    WatchdogProcess w = start(() -> { });
    long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
    while (System.nanoTime() < until) {
      w.armed(1, System.nanoTime() + Duration.ofMillis(600).toNanos()); // a refresh every 100 ms
      Thread.sleep(100); // the refresh cadence being simulated
    }
    w.disarmed();
    // A disarmed watchdog exits at once on EXIT: when it has gone, every line before EXIT was handled.
    ProcessHandle child = children.get(0);
    w.close();
    child.onExit().get(10, TimeUnit.SECONDS);
    assertThat(calls()).isEmpty();
  }

  @Test
  void whenTheDaemonGoesAwayItStillFencesAtTheDeadlineThenExits() throws Exception {
    WatchdogProcess w = start(() -> { });
    long armedAt = System.nanoTime();
    w.armed(3, armedAt + Duration.ofSeconds(4).toNanos());
    ProcessHandle child = children.get(0);
    await().atMost(Duration.ofSeconds(2)).until(() -> w.describe().equals("armed"));
    w.close(); // EXIT while armed: like the daemon dying (close waits up to 2 s for a disarmed child)
    assertThat(child.isAlive()).as("an armed watchdog outlives its daemon").isTrue();
    assertThat(calls()).isEmpty();
    child.onExit().get(15, TimeUnit.SECONDS);
    assertThat((System.nanoTime() - armedAt) / 1_000_000L).isGreaterThanOrEqualTo(4000);
    assertThat(calls()).hasSize(1);
  }

  @Test
  void aDeadChildIsReportedAndReplacedAndGetsTheCurrentLease() throws Exception {
    AtomicInteger lost = new AtomicInteger();
    WatchdogProcess w = start(lost::incrementAndGet);
    long first = w.pid().orElseThrow();
    w.armed(9, System.nanoTime() + Duration.ofSeconds(4).toNanos());
    ProcessHandle.of(first).orElseThrow().destroyForcibly();
    await().atMost(Duration.ofSeconds(30)).until(() -> lost.get() == 1 && w.ready()
        && w.pid().map(p -> p != first).orElse(false));
    children.add(ProcessHandle.of(w.pid().orElseThrow()).orElseThrow());
    // The replacement was re-armed with what is left of the lease: it fences at about the same deadline.
    await().atMost(Duration.ofSeconds(15)).until(() -> calls().size() == 1);
  }
}
