package io.pgquorum.coordinator.fence;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Run in a separate JVM by {@link FaketimeSharedClockTest}, under libfaketime: plays the daemon. It waits a while
 * (so that a clock whose start time is its own would differ from ours), starts a watchdog process as the daemon
 * does, arms it with a deadline 3 s ahead on its own clock, and reports when, on its own clock, the stand-in
 * server (pid given) died. Arguments: pg_ctl, data directory, stand-in server pid, "shared" or "unshared" (the
 * latter starts the watchdog without libfaketime's FAKETIME_SHARED, i.e. with a start time of its own), and a file
 * where every watchdog's pid is appended (libfaketime names the shared memory it creates after that pid).
 */
public final class WatchdogHostMain {
  private WatchdogHostMain() {}

  public static void main(String[] args) throws Exception {
    Thread.sleep(2_000); // faked: a rate below 1 makes it longer in real time
    List<String> command = new ArrayList<>(List.of("sh", "-c", "echo $$ >> \"$0\"; exec \"$@\"", args[4]));
    if (args[3].equals("unshared")) {
      command.addAll(List.of("env", "-u", "FAKETIME_SHARED"));
    }
    command.addAll(WatchdogProcess.command(Path.of(args[0]), Path.of(args[1]), "host", 5));
    WatchdogProcess w = new WatchdogProcess(command, Optional.empty(), System::nanoTime, () -> { }, "host");
    w.start();
    if (!awaitReadyOrRefused(w, Duration.ofSeconds(20))) {
      System.out.println("NOT-READY");
      System.out.flush();
      w.close();
      System.exit(0);
    }
    System.out.println("READY-OK");
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    w.armed(1, deadline);
    ProcessHandle server = ProcessHandle.of(Long.parseLong(args[2])).orElseThrow();
    while (server.isAlive()) {
      Thread.sleep(5); // polling the stand-in's death on this process's (faked) clock
    }
    System.out.println("FENCED-DELTA-MS " + (System.nanoTime() - deadline) / 1_000_000L);
    System.out.flush();
    w.close();
    System.exit(0);
  }

  /**
   * Whether the watchdog became ready within {@code timeout}; false as soon as a child it started has gone
   * without becoming ready (its clock check refused it: the supervisor stops such a child and starts another after
   * a backoff, which its clock refuses again). Why not just {@link WatchdogProcess#awaitReady}: a refused watchdog
   * would then cost the whole timeout, doubled in real time by the faked clock rate (about 40 s of every build).
   */
  private static boolean awaitReadyOrRefused(WatchdogProcess w, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<ProcessHandle> child = Optional.empty();
    while (System.nanoTime() - deadline < 0) {
      if (w.awaitReady(Duration.ofMillis(100))) {
        return true;
      }
      if (child.isEmpty()) {
        child = w.pid().flatMap(ProcessHandle::of);
      } else if (!child.get().isAlive()) {
        return w.ready();
      }
    }
    return false;
  }
}
