package io.pgquorum.coordinator.fence;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The lease watchdog process: a small JVM the daemon starts next to itself ({@link WatchdogProcess}), so that a
 * daemon that is frozen (SIGSTOP, a stuck JVM) or killed cannot leave PostgreSQL running as a primary past its
 * lease. It reads {@link WatchdogCommand}s on standard input and, when an armed deadline passes, runs
 * {@code pg_ctl stop -m immediate} on its data directory. Protocol and deadline rules: {@link WatchdogState}.
 *
 * <p>{@code WatchdogMain --pg-ctl <path> --data-dir <dir> --name <member> [--timeout <seconds>]}. It prints
 * {@code READY} on standard output once it reads its input, and one line per event on standard error. It uses no
 * logging library: it must start fast and stay small.
 */
public final class WatchdogMain {
  private WatchdogMain() {}

  /** One input line with the time it was read; a null line is end of input. */
  private record Input(String line, long readNanos) {}

  public static void main(String[] args) {
    String pgCtl = null;
    String dataDir = null;
    String name = "?";
    String timeout = "60";
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--pg-ctl":
          pgCtl = args[i + 1];
          break;
        case "--data-dir":
          dataDir = args[i + 1];
          break;
        case "--name":
          name = args[i + 1];
          break;
        case "--timeout":
          timeout = args[i + 1];
          break;
        default:
          break;
      }
    }
    if (pgCtl == null || dataDir == null || args.length % 2 != 0) {
      System.err.println("usage: WatchdogMain --pg-ctl <path> --data-dir <dir> --name <member> "
          + "[--timeout <seconds>]");
      System.exit(2);
    }
    System.exit(run(pgCtl, dataDir, name, timeout));
  }

  private static int run(String pgCtl, String dataDir, String name, String timeout) {
    String who = "pgquorum-watchdog[" + name + "]";
    BlockingQueue<Input> inputs = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> readInput(inputs), "watchdog-input");
    reader.setDaemon(true);
    reader.start();
    System.out.println("READY");
    System.out.flush();
    WatchdogState state = new WatchdogState();
    try {
      while (!state.finished()) {
        long now = System.nanoTime();
        if (state.tick(now)) {
          fence(who, pgCtl, dataDir, timeout, "the lease deadline passed without a refresh");
          continue;
        }
        long wait = state.waitNanos(now);
        Input in = wait == Long.MAX_VALUE ? inputs.take() : inputs.poll(wait, TimeUnit.NANOSECONDS);
        if (in == null) {
          continue; // the deadline came; the next tick fences
        }
        WatchdogState.Step step = state.receive(in.line(), in.readNanos());
        if (step.fenceNow()) {
          fence(who, pgCtl, dataDir, timeout, "the lease deadline passed without a refresh");
        }
        step.problem().ifPresent(p -> log(who, p));
        if (in.line() == null && state.armed()) {
          log(who, "input ended while armed (the daemon is gone): PostgreSQL will be stopped at the lease "
              + "deadline, in " + state.waitNanos(System.nanoTime()) / 1_000_000L + " ms");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    return 0;
  }

  private static void readInput(BlockingQueue<Input> inputs) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
      String line;
      while ((line = r.readLine()) != null) {
        inputs.add(new Input(line, System.nanoTime()));
      }
    } catch (IOException e) {
      // a broken pipe is the end of input, like EOF
    }
    inputs.add(new Input(null, System.nanoTime()));
  }

  /** Stops PostgreSQL at once (immediate mode: no checkpoint, clients cut off) and logs one line. */
  private static void fence(String who, String pgCtl, String dataDir, String timeout, String why) {
    long start = System.nanoTime();
    List<String> argv = new ArrayList<>(List.of(pgCtl, "stop", "-m", "immediate", "-w", "-t", timeout, "-D",
        dataDir));
    String outcome;
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      int code = p.waitFor();
      String lastLine = out.lines().reduce((a, b) -> b).orElse("");
      outcome = code == 0 ? "stopped PostgreSQL (immediate)"
          : "pg_ctl stop exited " + code + (lastLine.isEmpty() ? "" : " (" + lastLine + ")");
    } catch (IOException e) {
      outcome = "could not run pg_ctl: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome = "interrupted while stopping PostgreSQL";
    }
    long ms = (System.nanoTime() - start) / 1_000_000L;
    log(who, "FENCED: " + why + ": " + outcome + " in " + dataDir + " after " + ms + " ms");
  }

  private static void log(String who, String message) {
    System.err.println(Instant.now() + " " + who + ": " + message);
    System.err.flush();
  }
}
