package io.pgquorum.coordinator.fence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * The real watchdog child JVM, driven through {@link WatchdogProcess}, against a stand-in PostgreSQL: a process
 * named {@code postgres} (a copy of sleep) whose working directory is the data directory, which is what the
 * fencing procedure looks for, and a fake {@code pg_ctl} that records its arguments and does nothing (so the
 * procedure's SIGKILL is what stops the stand-in). It fences at an armed deadline, not when disarmed, keeps the
 * deadline when the daemon's pipe closes, is replaced when it dies, runs in a session of its own, and a line it
 * reads late does not move the deadline.
 */
class WatchdogProcessTest {
  @TempDir
  Path dir;
  Path calls;
  Path pgCtl;
  Path pgdata;
  Path fakePostgres;
  final List<WatchdogProcess> started = new ArrayList<>();
  final List<ProcessHandle> children = new ArrayList<>();
  final List<Process> servers = new ArrayList<>();

  @BeforeEach
  void fakes() throws IOException {
    calls = dir.resolve("calls.txt");
    pgCtl = dir.resolve("pg_ctl");
    Files.writeString(pgCtl, "#!/bin/sh\necho \"$@\" >> '" + calls + "'\n");
    Files.setPosixFilePermissions(pgCtl, PosixFilePermissions.fromString("rwx------"));
    pgdata = Files.createDirectories(dir.resolve("pgdata"));
    Files.createDirectories(dir.resolve("bin"));
    fakePostgres = Files.copy(Path.of("/bin/sleep"), dir.resolve("bin").resolve("postgres"),
        StandardCopyOption.COPY_ATTRIBUTES);
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
    for (Process p : servers) {
      p.destroyForcibly();
    }
  }

  /** A process the fencing procedure takes for this data directory's PostgreSQL. */
  private Process standInServer() throws IOException {
    Process p = new ProcessBuilder(fakePostgres.toString(), "600").directory(pgdata.toFile()).start();
    servers.add(p);
    return p;
  }

  private WatchdogProcess start(Runnable onLost) throws InterruptedException {
    WatchdogProcess w = new WatchdogProcess(WatchdogProcess.command(pgCtl, pgdata, "t", 5),
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

  /** Fields after the comm of /proc/pid/stat: [state, ppid, pgrp, session, ...]. */
  static String[] stat(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
  }

  static void signal(String sig, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void fencesAtAnArmedDeadlineThatIsNotExtended() throws Exception {
    Process server = standInServer();
    WatchdogProcess w = start(() -> { });
    long armedAt = System.nanoTime();
    w.armed(7, armedAt + Duration.ofMillis(800).toNanos());
    server.onExit().get(10, TimeUnit.SECONDS);
    long fencedAfterMs = (System.nanoTime() - armedAt) / 1_000_000L;
    assertThat(fencedAfterMs).as("not before the deadline").isGreaterThanOrEqualTo(800);
    assertThat(calls()).containsExactly("stop -D " + pgdata + " -m immediate -w -t 5");
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(log()).contains("FENCED: the lease deadline passed without a refresh"));
  }

  /**
   * The daemon hands its class-data sharing archive to the child (CDS_ARCHIVE_PROPERTY); a damaged or foreign one
   * must never keep the child from starting or fencing: the JVM ignores it and loads classes the usual way.
   */
  @Test
  void aDamagedSharedArchiveIsIgnoredAndTheChildStillFences() throws Exception {
    Path archive = dir.resolve("damaged.jsa");
    Files.write(archive, new byte[64 * 1024]);
    List<String> command = WatchdogProcess.command(Optional.empty(), pgCtl, pgdata, "t", 5, Optional.empty(),
        Optional.of(archive));
    assertThat(command).contains("-XX:SharedArchiveFile=" + archive);
    Process server = standInServer();
    WatchdogProcess w = new WatchdogProcess(command, Optional.of(dir.resolve("watchdog.log")), System::nanoTime,
        () -> { }, "t");
    started.add(w);
    w.start();
    assertThat(w.awaitReady(Duration.ofSeconds(30))).as("the child JVM says READY").isTrue();
    children.add(ProcessHandle.of(w.pid().orElseThrow()).orElseThrow());
    w.armed(7, System.nanoTime() + Duration.ofMillis(300).toNanos());
    server.onExit().get(10, TimeUnit.SECONDS);
    assertThat(calls()).containsExactly("stop -D " + pgdata + " -m immediate -w -t 5");
  }

  @Test
  void refreshedOrDisarmedLeasesAreNotFenced() throws Exception {
    Process server = standInServer();
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
    assertThat(server.isAlive()).isTrue();
  }

  @Test
  void whenTheDaemonGoesAwayItStillFencesAtTheDeadlineThenExits() throws Exception {
    Process server = standInServer();
    WatchdogProcess w = start(() -> { });
    long armedAt = System.nanoTime();
    w.armed(3, armedAt + Duration.ofSeconds(4).toNanos());
    ProcessHandle child = children.get(0);
    await().atMost(Duration.ofSeconds(2)).until(() -> w.describe().equals("armed"));
    w.close(); // EXIT while armed: like the daemon dying (close waits up to 2 s for a disarmed child)
    assertThat(child.isAlive()).as("an armed watchdog outlives its daemon").isTrue();
    assertThat(server.isAlive()).isTrue();
    server.onExit().get(15, TimeUnit.SECONDS);
    assertThat((System.nanoTime() - armedAt) / 1_000_000L).isGreaterThanOrEqualTo(4000);
    child.onExit().get(15, TimeUnit.SECONDS); // after guarding for a few seconds
    assertThat(calls()).hasSize(1);
  }

  @Test
  void aDeadChildIsReportedAndReplacedAndGetsTheCurrentLease() throws Exception {
    Process server = standInServer();
    AtomicInteger lost = new AtomicInteger();
    WatchdogProcess w = start(lost::incrementAndGet);
    long first = w.pid().orElseThrow();
    w.armed(9, System.nanoTime() + Duration.ofSeconds(4).toNanos());
    ProcessHandle.of(first).orElseThrow().destroyForcibly();
    await().atMost(Duration.ofSeconds(30)).until(() -> lost.get() == 1 && w.ready()
        && w.pid().map(p -> p != first).orElse(false));
    children.add(ProcessHandle.of(w.pid().orElseThrow()).orElseThrow());
    // The replacement was armed with the same deadline: it fences then.
    server.onExit().get(15, TimeUnit.SECONDS);
    assertThat(calls()).hasSize(1);
  }

  @Test
  void theWatchdogLeadsASessionOfItsOwnAndIsTheProcessStarted() throws Exception {
    WatchdogProcess w = start(() -> { });
    long pid = w.pid().orElseThrow();
    String[] f = stat(pid);
    assertThat(Long.parseLong(f[2])).as("process group").isEqualTo(pid);
    assertThat(Long.parseLong(f[3])).as("session").isEqualTo(pid);
    assertThat(Long.parseLong(f[1])).as("parent: setsid exec'd in place, no fork")
        .isEqualTo(ProcessHandle.current().pid());
    assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip()).isEqualTo("java");
    long ours = Long.parseLong(stat(ProcessHandle.current().pid())[3]);
    assertThat(Long.parseLong(f[3])).as("not this JVM's session").isNotEqualTo(ours);
  }

  @Test
  void aLineReadLateDoesNotExtendTheDeadline() throws Exception {
    Process server = standInServer();
    WatchdogProcess w = start(() -> { });
    long pid = w.pid().orElseThrow();
    signal("STOP", pid);
    long resumedAt;
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      w.armed(4, deadline); // written into the pipe now, read only after SIGCONT
      long resumeAt = deadline + Duration.ofSeconds(1).toNanos();
      while (System.nanoTime() < resumeAt) {
        Thread.sleep(50); // the length of the stop is the fault being injected
      }
    } finally {
      resumedAt = System.nanoTime();
      signal("CONT", pid);
    }
    server.onExit().get(20, TimeUnit.SECONDS);
    long afterResumeMs = (System.nanoTime() - resumedAt) / 1_000_000L;
    System.out.println("a line read 1 s after its deadline: fenced " + afterResumeMs + " ms after the resume");
    // With a remaining time counted from the read, the fence would come 3 s after the resume.
    assertThat(afterResumeMs).as("fenced at once: the deadline had passed while the line waited")
        .isLessThan(2_000);
  }

  // ---- kernel watchdog device, with a FIFO standing in for it (this machine has no watchdog driver) ----

  /** One byte the watchdog wrote to the stand-in device, with when the test read it. */
  record Write(long atNanos, char c) {}

  /** Makes a FIFO at {@code path} and reads it on a thread until EOF (the watchdog closed it). */
  private java.util.concurrent.CompletableFuture<List<Write>> standInDevice(Path path) throws Exception {
    Process mk = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(mk.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(mk.exitValue()).isZero();
    java.util.concurrent.CompletableFuture<List<Write>> writes = new java.util.concurrent.CompletableFuture<>();
    Thread t = new Thread(() -> {
      List<Write> got = new ArrayList<>();
      try (java.io.InputStream in = Files.newInputStream(path)) { // blocks until the watchdog opens it
        int b;
        while ((b = in.read()) >= 0) {
          got.add(new Write(System.nanoTime(), (char) b));
        }
        writes.complete(got);
      } catch (IOException e) {
        writes.completeExceptionally(e);
      }
    }, "stand-in-device");
    t.setDaemon(true);
    t.start();
    return writes;
  }

  private WatchdogProcess startWithDevice(Path device, Duration timeout) throws InterruptedException {
    WatchdogProcess w = new WatchdogProcess(WatchdogProcess.command(WatchdogProcess.setsid(), pgCtl, pgdata, "t",
        5, Optional.of(new WatchdogProcess.Device(device, timeout))), Optional.of(dir.resolve("watchdog.log")),
        System::nanoTime, () -> { }, "t");
    started.add(w);
    w.start();
    assertThat(w.awaitReady(Duration.ofSeconds(30))).as("the child JVM says READY").isTrue();
    children.add(ProcessHandle.of(w.pid().orElseThrow()).orElseThrow());
    return w;
  }

  @Test
  void theDeviceIsKeptAliveWhileArmedThenLeftToRunOutAndDisabledByTheFence() throws Exception {
    Process server = standInServer();
    Path device = dir.resolve("watchdog");
    var writes = standInDevice(device);
    WatchdogProcess w = startWithDevice(device, Duration.ofSeconds(2));
    long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
    w.armed(5, deadline);
    List<Write> got = writes.get(30, TimeUnit.SECONDS);
    assertThat(server.isAlive()).as("fenced at the deadline").isFalse();

    List<Write> keepalives = got.stream().filter(x -> x.c() == '1').toList();
    assertThat(keepalives.size()).as("keepalives while armed: " + got).isGreaterThanOrEqualTo(2);
    long lastAllowed = deadline + WatchdogState.DEVICE_RESET_GRACE_NANOS - Duration.ofSeconds(2).toNanos();
    // The read on this side happens after the write (later still on a loaded machine); 1 s still tells keepalives
    // that stop well before the deadline from keepalives that go on until it.
    long slack = Duration.ofSeconds(1).toNanos();
    assertThat(keepalives.get(keepalives.size() - 1).atNanos()).as("the last keepalive lets the kernel reset the "
        + "machine by half a second after the deadline").isLessThan(lastAllowed + slack);
    Write last = got.get(got.size() - 1);
    assertThat(last.c()).as("magic close after the fence").isEqualTo('V');
    assertThat(last.atNanos()).isGreaterThanOrEqualTo(deadline);
    await().atMost(Duration.ofSeconds(5)).until(() -> w.deviceState().equals("closed"));
    assertThat(w.deviceUsable()).isTrue();
  }

  @Test
  void disarmDisablesTheDeviceWithTheMagicClose() throws Exception {
    Process server = standInServer();
    Path device = dir.resolve("watchdog");
    var writes = standInDevice(device);
    WatchdogProcess w = startWithDevice(device, Duration.ofSeconds(2));
    w.armed(5, System.nanoTime() + Duration.ofSeconds(30).toNanos());
    await().atMost(Duration.ofSeconds(10)).until(() -> w.deviceState().equals("active"));
    w.disarmed();
    List<Write> got = writes.get(30, TimeUnit.SECONDS);
    assertThat(got).isNotEmpty();
    assertThat(got.get(0).c()).isEqualTo('1');
    assertThat(got.get(got.size() - 1).c()).isEqualTo('V');
    assertThat(got.stream().filter(x -> x.c() == 'V').count()).isEqualTo(1);
    assertThat(server.isAlive()).isTrue();
  }

  @Test
  void aCleanExitWhileDisarmedDisablesTheDevice() throws Exception {
    Path device = dir.resolve("watchdog");
    var writes = standInDevice(device);
    WatchdogProcess w = startWithDevice(device, Duration.ofSeconds(2));
    w.armed(5, System.nanoTime() + Duration.ofSeconds(30).toNanos());
    await().atMost(Duration.ofSeconds(10)).until(() -> w.deviceState().equals("active"));
    w.disarmed();
    w.close();
    List<Write> got = writes.get(30, TimeUnit.SECONDS);
    assertThat(got.get(got.size() - 1).c()).isEqualTo('V');
  }

  @Test
  void aDeviceThatCannotBeOpenedIsReportedToTheDaemon() throws Exception {
    WatchdogProcess w = startWithDevice(dir.resolve("no-such-watchdog"), Duration.ofSeconds(2));
    assertThat(w.deviceUsable()).isTrue();
    w.armed(5, System.nanoTime() + Duration.ofSeconds(30).toNanos());
    await().atMost(Duration.ofSeconds(10)).until(() -> !w.deviceUsable());
    assertThat(w.deviceState()).isEqualTo("failed");
    assertThat(Files.exists(dir.resolve("no-such-watchdog"))).as("never created").isFalse();
  }

  @Test
  void aReadyLineOnAnotherClockIsRefused() {
    assertThat(WatchdogProcess.clockMismatch("READY 150", 100, 200)).isEmpty();
    assertThat(WatchdogProcess.clockMismatch("READY 100", 100, 100)).isEmpty();
    assertThat(WatchdogProcess.clockMismatch("READY 99", 100, 200)).get().asString()
        .contains("its monotonic clock reads 99");
    assertThat(WatchdogProcess.clockMismatch("READY 201", 100, 200)).isPresent();
    assertThat(WatchdogProcess.clockMismatch("READY", 100, 200)).get().asString()
        .contains("instead of READY <nanoTime>");
  }
}
