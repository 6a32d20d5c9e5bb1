package io.pgquorum.coordinator.fence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog's absolute deadlines under the fault-injection harness's clock-rate fault: the harness launches a
 * daemon with {@code LD_PRELOAD=libfaketime.so.1 FAKETIME="+0 x0.5"}, which also fakes CLOCK_MONOTONIC, and the
 * watchdog inherits that environment. libfaketime computes a faked clock from a start time; 0.9.10 keeps the start
 * time in shared memory named by {@code FAKETIME_SHARED}, which the first preloaded process creates and every
 * descendant inherits, so the daemon and its watchdog compute the same faked clock and a deadline means the same
 * instant to both. Shown here with a daemon stand-in ({@link WatchdogHostMain}) under libfaketime: the watchdog
 * passes the daemon's clock check and fences at the daemon's deadline on the daemon's own clock. And when the start
 * time is not shared (the watchdog started without {@code FAKETIME_SHARED}), the daemon's check refuses the watchdog
 * instead of sending it deadlines it would misread.
 */
class FaketimeSharedClockTest {
  static final Path LIBFAKETIME = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");

  @TempDir
  Path dir;

  private String runHost(String sharing) throws Exception {
    assertThat(LIBFAKETIME).as("libfaketime (Debian package libfaketime) is installed").exists();
    Path pgCtl = dir.resolve("pg_ctl");
    Files.writeString(pgCtl, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(pgCtl, PosixFilePermissions.fromString("rwx------"));
    Path pgdata = Files.createDirectories(dir.resolve("pgdata"));
    Path fakePostgres = Files.copy(Path.of("/bin/sleep"), Files.createDirectories(dir.resolve("bin"))
        .resolve("postgres"), StandardCopyOption.COPY_ATTRIBUTES);
    Process server = new ProcessBuilder(fakePostgres.toString(), "600").directory(pgdata.toFile()).start();
    try {
      ProcessBuilder pb = new ProcessBuilder(WatchdogProcess.javaBinary().toString(), "-Xmx64m", "-cp",
          System.getProperty("java.class.path"), WatchdogHostMain.class.getName(), pgCtl.toString(),
          pgdata.toString(), Long.toString(server.pid()), sharing, dir.resolve("watchdog-pids").toString());
      pb.environment().put("LD_PRELOAD", LIBFAKETIME.toString());
      pb.environment().put("FAKETIME", "+0 x0.5");
      pb.environment().remove("FAKETIME_SHARED");
      pb.redirectErrorStream(true);
      Path out = dir.resolve("host-" + sharing + ".out");
      pb.redirectOutput(out.toFile());
      Process host = pb.start();
      boolean done = host.waitFor(120, TimeUnit.SECONDS);
      String text = Files.readString(out, StandardCharsets.UTF_8);
      cleanUpSharedMemory(host.pid());
      Path pids = dir.resolve("watchdog-pids");
      if (Files.exists(pids)) {
        Files.readAllLines(pids).stream().map(String::trim).filter(l -> l.matches("\\d+"))
            .forEach(l -> cleanUpSharedMemory(Long.parseLong(l)));
      }
      assertThat(done).as("the host finished").isTrue();
      return text;
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void underASharedFakedClockTheWatchdogFencesAtTheDaemonsDeadline() throws Exception {
    String out = runHost("shared");
    assertThat(out).as(out).contains("READY-OK");
    long delta = Long.parseLong(out.lines().filter(l -> l.startsWith("FENCED-DELTA-MS ")).findFirst()
        .orElseThrow(() -> new AssertionError("no fence reported:\n" + out)).substring(16).trim());
    System.out.println("libfaketime x0.5, shared start: fenced " + delta + " ms (daemon clock) after the deadline");
    assertThat(delta).as("not before the daemon's deadline").isGreaterThanOrEqualTo(0);
    // An own start time would put the watchdog's clock a second or more off the daemon's (0.5 x the seconds
    // between the two processes' starts); a fence within that shows one clock.
    assertThat(delta).as("at the daemon's deadline (fence time, not a second clock)").isLessThan(1_000);
  }

  @Test
  void aWatchdogWithAClockOfItsOwnIsRefused() throws Exception {
    String out = runHost("unshared");
    assertThat(out).as(out).contains("NOT-READY");
    assertThat(out).contains("cannot be used: its monotonic clock reads");
  }

  /**
   * libfaketime names its shared memory and semaphore after the pid of the process that created them and leaves
   * them behind when that process does not exit normally: remove those of a process this test started.
   */
  private static void cleanUpSharedMemory(long pid) {
    try {
      Files.deleteIfExists(Path.of("/dev/shm/faketime_shm_" + pid));
      Files.deleteIfExists(Path.of("/dev/shm/sem.faketime_sem_" + pid));
    } catch (IOException e) {
      // not ours after all, or already gone
    }
  }
}
